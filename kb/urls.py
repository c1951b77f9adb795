from django.urls import path, register_converter

from kb import views

app_name = "kb"


class LanguageConverter:
    regex = "es|en"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LanguageConverter, "lang")

urlpatterns = [
    # Help centre (public; clients and staff see more)
    path("help/", views.help_root, name="help"),
    path("help/suggest/", views.help_suggest, name="suggest"),
    path("help/images/<int:pk>/", views.image, name="image"),
    path("help/<lang:language>/", views.help_index, name="index"),
    path("help/<lang:language>/search/", views.help_search, name="search"),
    path("help/<lang:language>/category/<slug:slug>/", views.help_category, name="category"),
    path("help/<lang:language>/<slug:slug>/", views.help_article, name="article"),
    path("help/<lang:language>/<slug:slug>/vote/", views.help_vote, name="vote"),
    # Technicians
    path("kb/", views.staff_articles, name="staff_articles"),
    path("kb/new/", views.article_create, name="article_create"),
    path("kb/<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("kb/<int:pk>/history/", views.article_history, name="article_history"),
    path("kb/<int:pk>/images/", views.image_upload, name="image_upload"),
    path("kb/stats/", views.stats, name="stats"),
    path("kb/lookup/", views.lookup, name="lookup"),
    path("kb/macros/", views.macro_list, name="macro_list"),
    path("kb/macros/new/", views.macro_create, name="macro_create"),
    path("kb/macros/<int:pk>/edit/", views.macro_edit, name="macro_edit"),
    path("kb/macros/<int:pk>/delete/", views.macro_delete, name="macro_delete"),
    path("kb/macros/<int:pk>/apply/<int:ticket_pk>/", views.macro_apply, name="macro_apply"),
]
