"""Server time of the help centre's search and of the new-ticket suggestions with 10,000
articles (PostgreSQL).

Run from the repository root with PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_kbbench .venv/bin/python bench/kb_bench.py

Builds its own database (Django's test database, ``test_<name>``): ``--articles`` published
articles, half Spanish and half English, whose titles and bodies (about 300 words) are
drawn from a vocabulary with a few very common words and many rare ones, then fills the
search vectors. It times, through Django's test client (middleware, view, template:
everything but the network), ``--repeat`` times each, and prints the median in
milliseconds, the number of SQL queries and the ratio to the floor: a page that does no
work (``/health/live/``), the cost of any request in this process.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from kb import search  # noqa: E402
from kb.markdown import render  # noqa: E402
from kb.models import Article  # noqa: E402

SPANISH = [
    "factura",
    "pedido",
    "tienda",
    "pago",
    "correo",
    "contraseña",
    "copia",
    "seguridad",
    "servidor",
    "dominio",
    "certificado",
    "usuario",
    "cliente",
    "producto",
    "envío",
    "stock",
    "precio",
    "impuesto",
    "informe",
    "error",
    "página",
    "carrito",
    "módulo",
    "plantilla",
    "actualización",
    "versión",
    "acceso",
    "cuenta",
    "tarjeta",
    "banco",
    "transferencia",
    "devolución",
    "abono",
    "catálogo",
    "imagen",
    "categoría",
    "búsqueda",
    "idioma",
    "traducción",
]
ENGLISH = [
    "invoice",
    "order",
    "shop",
    "payment",
    "email",
    "password",
    "backup",
    "server",
    "domain",
    "certificate",
    "user",
    "customer",
    "product",
    "shipping",
    "stock",
    "price",
    "tax",
    "report",
    "error",
    "page",
    "cart",
    "module",
    "template",
    "update",
    "version",
    "access",
    "account",
    "card",
    "bank",
    "transfer",
    "refund",
    "credit",
    "catalogue",
    "image",
    "category",
    "search",
    "language",
    "translation",
]
FILLER_ES = [
    "el",
    "la",
    "de",
    "que",
    "y",
    "en",
    "los",
    "se",
    "del",
    "las",
    "un",
    "por",
    "con",
    "no",
    "una",
    "su",
    "para",
    "es",
    "al",
    "lo",
    "como",
]
FILLER_EN = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "at",
    "by",
    "this",
    "be",
    "from",
    "or",
]


def _text(rng, vocabulary, filler, words):
    rare = [f"{w}{rng.randint(1, 400)}" for w in rng.sample(vocabulary, 4)]
    pool = vocabulary + filler * 3 + rare
    return " ".join(rng.choice(pool) for _ in range(words))


def build(count: int, seed: int) -> None:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        spanish = n % 2 == 0
        vocabulary, filler = (SPANISH, FILLER_ES) if spanish else (ENGLISH, FILLER_EN)
        title = _text(rng, vocabulary, [], 5).capitalize()
        body = _text(rng, vocabulary, filler, 300)
        rows.append(
            Article(
                language="es" if spanish else "en",
                title=title,
                slug=f"articulo-{n}",
                body=body,
                body_html=render(body),
                tags=", ".join(rng.sample(vocabulary, 2)),
                status=Article.Status.PUBLISHED,
                visibility=rng.choice(list(Article.Visibility.values)),
            )
        )
    Article.objects.bulk_create(rows, batch_size=1000)
    search.refresh_all()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE kb_article")


def timed(client: Client, url: str, repeat: int) -> tuple[float, int, float]:
    """Median milliseconds of the whole request, its queries, and the median SQL time."""
    client.get(url)  # warm caches
    times, sql = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url}: {response.status_code}")
    return statistics.median(times), len(queries), statistics.median(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the database for next time")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL=postgres://...")
    creation = connection.creation
    name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)
    print(f"database {name}; PostgreSQL {connection.pg_version // 10000}")
    try:
        if Article.objects.count() != args.articles:
            Article.objects.all().delete()
            started = time.perf_counter()
            build(args.articles, args.seed)
            print(f"built {args.articles:,} articles in {time.perf_counter() - started:.1f} s")
        organization = Organization.objects.get_or_create(name="Bench S.L.")[0]
        user = User.objects.filter(email="bench@cliente.example").first() or (
            User.objects.create_user(
                email="bench@cliente.example", password="x", organization=organization
            )
        )
        client = Client()
        client.force_login(user)
        floor, *_ = timed(client, reverse("health-live"), args.repeat)
        print(f"{'case':58} {'median ms':>9} {'queries':>7} {'x page floor':>12} {'SQL ms':>7}")
        search_url = reverse("kb:search", args=["es"])
        suggest_url = reverse("kb:suggest")
        # The same pages asked nothing (no search query): what the search adds is the rest.
        search_floor, *_ = timed(client, search_url, args.repeat)
        suggest_floor, *_ = timed(client, f"{suggest_url}?language=es&q=", args.repeat)
        print(f"{'floor: /health/live/ (no database, no template)':58} {floor:9.2f} {0:7d}")
        print(f"{'floor: search page without a query':58} {search_floor:9.2f}")
        print(f"{'floor: suggestions without a query':58} {suggest_floor:9.2f}")
        cases = [
            ("search: one common word (factura)", f"{search_url}?q=factura"),
            ("search: two words (copia seguridad)", f"{search_url}?q=copia+seguridad"),
            ("search: a rare word (factura17)", f"{search_url}?q=factura17"),
            ("search: stop words only (de la el)", f"{search_url}?q=de+la+el"),
            ("search: English, common word (invoice)", "/help/en/search/?q=invoice"),
            ("suggest: typing (no puedo desc)", f"{suggest_url}?language=es&q=no+puedo+desc"),
            (
                "suggest: subject (error en la factura)",
                f"{suggest_url}?language=es&q=error+en+la+factura",
            ),
            ("suggest: short prefix (fa)", f"{suggest_url}?language=es&q=fa"),
            ("suggest: stop words only (de la)", f"{suggest_url}?language=es&q=de+la"),
        ]
        for label, url in cases:
            median, queries, sql = timed(client, url, args.repeat)
            base = search_floor if label.startswith("search") else suggest_floor
            print(f"{label:58} {median:9.2f} {queries:7d} {median / base:12.1f} {sql:7.2f}")
    finally:
        if not args.keep:
            creation.destroy_test_db(name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
