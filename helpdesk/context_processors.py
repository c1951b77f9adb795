from django.conf import settings


def site(request):
    """Values every template may use: the product name and the seller's contact."""
    return {"PRODUCT_NAME": "Soporte Créditos", "SELLER": settings.SELLER}
