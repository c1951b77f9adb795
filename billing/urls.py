from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    # The client's own organization.
    path("buy/", views.buy, name="buy"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/pay/", views.order_pay, name="order_pay"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("payments/<int:pk>/", views.payment_page, name="payment_page"),
    path("payments/<int:pk>/done/", views.payment_success, name="payment_success"),
    path("payments/<int:pk>/failed/", views.payment_failure, name="payment_failure"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    # Payment providers (public: the provider calls them; validated there).
    path("payments/process/<uuid:token>/", views.payment_callback, name="payment_callback"),
    path("payments/webhook/<slug:variant>/", views.provider_webhook, name="provider_webhook"),
]
