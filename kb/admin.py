from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kb import services
from kb.models import Article, ArticleVersion, Category, Deflection, Macro


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_es", "name_en", "position"]
    prepopulated_fields = {"slug": ["name_es"]}


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    extra = 0
    can_delete = False
    fields = ["number", "title", "status", "visibility", "changed", "edited_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "status", "visibility", "category", "views",
                    "helpful_yes", "helpful_no", "updated_at"]  # fmt: skip
    list_filter = ["language", "status", "visibility", "category"]
    search_fields = ["title", "slug", "tags"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["products"]
    readonly_fields = ["group", "version", "views", "helpful_yes", "helpful_no", "updated_by"]
    inlines = [VersionInline]

    def save_model(self, request, obj, form, change):
        # Through the service: the same checks, a version row, the rendered body and the
        # search entry. The products are set in save_related.
        fields = {
            name: form.cleaned_data[name]
            for name in (
                "language",
                "title",
                "slug",
                "body",
                "category",
                "tags",
                "visibility",
                "status",
            )
        }
        saved = services.save_article(obj if change else None, by=request.user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        form.instance = Article.objects.get(pk=form.instance.pk)
        super().save_related(request, form, formsets, change)


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "owner", "status", "minutes"]
    list_filter = ["language"]
    search_fields = ["name", "body"]


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["article", "organization", "opened_at", "helpful"]
    readonly_fields = [
        "token",
        "article",
        "user",
        "organization",
        "subject",
        "opened_at",
        "helpful",
    ]
    verbose_name = _("deflection")

    def has_add_permission(self, request):
        return False
