"""The django-payments variants: the keys of ``settings.PAYMENT_VARIANTS`` and the values of
``Payment.variant``. Plain strings in a module with no imports, so the settings use them too."""

TEST = "dummy"  # the library's test provider (billing.providers.TestProvider): never in production
STRIPE = "stripe"  # Stripe Checkout (billing.providers.StripeProvider)
