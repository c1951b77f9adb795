from django.contrib import admin

from .models import Pack


@admin.register(Pack)
class PackAdmin(admin.ModelAdmin):
    list_display = ("credits", "price", "discount_percent", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("active",)
    ordering = ("position", "credits")
