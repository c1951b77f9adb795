from django.contrib import admin

from reports.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Client ratings (CSAT): read only, they are the clients' words."""

    list_display = ("ticket", "score", "technician", "rated_by", "created_at")
    list_filter = ("score",)
    readonly_fields = ("ticket", "score", "comment", "rated_by", "technician", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
