"""The site's URLs plus the floor view (bench only: never mounted in helpdesk.urls)."""

from django.urls import include, path

from bench.views import floor, memory

urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/memory/", memory, name="bench_memory"),
    path("", include("helpdesk.urls")),
]
