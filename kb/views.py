"""The help centre (public, clients, staff), the suggestions while opening a ticket, and
the technicians' pages: articles, their history, statistics, lookup, canned replies."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import staff_required
from kb import limits, selectors, services
from kb.errors import KbError
from kb.forms import ArticleForm, MacroForm
from kb.models import Article, Category, Language, Macro
from tickets import services as ticket_services
from tickets.views.detail import get_ticket


def _language(language: str) -> str:
    if language not in Language.values:
        raise Http404
    translation.activate(language)
    return language


def _voter(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"u:{request.user.pk}"
    if not request.session.session_key:
        request.session.save()
    return f"s:{request.session.session_key}"


# --- Help centre -----------------------------------------------------------------------


@require_GET
def help_root(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or "es"
    language = language[:2] if language[:2] in Language.values else Language.SPANISH
    return redirect("kb:index", language=language)


@require_GET
def help_index(request: HttpRequest, language: str) -> HttpResponse:
    language = _language(language)
    context = selectors.help_index(request.user, language)
    return render(request, "kb/index.html", {"language": language, **context})


@require_GET
def help_search(request: HttpRequest, language: str) -> HttpResponse:
    language = _language(language)
    text = request.GET.get("q", "")[: limits.QUERY_MAX_CHARS].strip()
    results = selectors.search_articles(request.user, language, text) if text else []
    return render(request, "kb/search.html", {"language": language, "q": text, "results": results})


@require_GET
def help_category(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    language = _language(language)
    category = get_object_or_404(Category, slug=slug)
    articles = selectors.category_articles(request.user, language, category)
    if not articles:
        raise Http404
    return render(
        request,
        "kb/category.html",
        {
            "language": language,
            "category": category,
            "name": category.name_in(language),
            "articles": articles,
        },
    )


@require_GET
def help_article(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    language = _language(language)
    article = selectors.article_page(request.user, language, slug)
    if article is None:
        raise Http404
    services.record_view(article)
    deflection = None
    if request.GET.get("from") == "ticket":
        deflection = services.open_deflection(
            article, user=request.user, subject=request.GET.get("q", "")
        )
    return render(
        request,
        "kb/article.html",
        {
            "language": language,
            "article": article,
            "deflection": deflection,
            "voted": request.GET.get("voted"),
        },
    )


@require_POST
def help_vote(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    language = _language(language)
    article = selectors.article_page(request.user, language, slug)
    if article is None:
        raise Http404
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        messages.error(request, _("Choose “yes” or “no”."))
        return redirect(article)
    try:
        services.vote(
            article,
            voter=_voter(request),
            user=request.user if request.user.is_authenticated else None,
            helpful=answer == "yes",
            token=request.POST.get("token", ""),
        )
    except KbError as exc:
        messages.error(request, exc.message)
        return redirect(article)
    if answer == "yes":
        messages.success(request, _("Thank you! We are glad it helped."))
    else:
        messages.info(request, _("Thank you. If you still need help, open a ticket."))
    return redirect(f"{article.get_absolute_url()}?voted={answer}")


@require_GET
def help_suggest(request: HttpRequest) -> HttpResponse:
    """The suggestions while a client types a ticket's subject: an HTML fragment."""
    text = request.GET.get("q", "")[: limits.QUERY_MAX_CHARS]
    language = request.GET.get("language", "")
    if language not in Language.values:
        language = (translation.get_language() or "es")[:2]
        if language not in Language.values:
            language = Language.SPANISH
    results = selectors.suggestions(request.user, language, text)
    return render(request, "kb/partials/suggestions.html", {"results": results, "q": text})


# --- Technicians: articles -------------------------------------------------------------


@staff_required
def staff_articles(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    text = request.GET.get("q", "")[: limits.QUERY_MAX_CHARS]
    articles = list(selectors.staff_articles(text=text, status=status)[:200])
    return render(
        request,
        "kb/staff_articles.html",
        {"articles": articles, "q": text, "status": status, "statuses": Article.Status.choices},
    )


def _save(
    request: HttpRequest,
    article: Article | None,
    form: ArticleForm,
    template: str,
    extra: dict | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        products = data.pop("products")
        group = data.pop("group")
        if group and article is None:
            data["group"] = group
        try:
            article = services.save_article(article, by=request.user, products=products, **data)
        except KbError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The article has been saved."))
            return redirect("kb:article_edit", pk=article.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, template, {"form": form, "article": article, **(extra or {})}, status=status
    )


@staff_required
def article_create(request: HttpRequest) -> HttpResponse:
    initial = {"status": Article.Status.DRAFT, "language": Language.SPANISH}
    source = request.GET.get("translate")
    if source and source.isdigit():
        original = get_object_or_404(Article, pk=source)
        initial |= services.translate_from(original)
    form = ArticleForm(request.POST or None, initial=initial)
    return _save(request, None, form, "kb/article_form.html")


@staff_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("category"), pk=pk)
    initial = {
        "language": article.language,
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "category": article.category_id,
        "tags": article.tags,
        "products": list(article.products.values_list("pk", flat=True)),
        "visibility": article.visibility,
        "status": article.status,
        "group": article.group,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    translations = list(Article.objects.filter(group=article.group).exclude(pk=article.pk))
    extra = {"translations": translations, "images": list(article.images.all())}
    return _save(request, article, form, "kb/article_form.html", extra)


@staff_required
@require_GET
def article_history(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    versions = list(article.versions.select_related("edited_by"))
    return render(request, "kb/article_history.html", {"article": article, "versions": versions})


@staff_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/stats.html", selectors.stats(timezone.now()))


@staff_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """Articles by title for a technician's reply: JSON [{title, url, language}]."""
    found = selectors.lookup_for_staff(request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {
                    "title": a.title,
                    "language": a.language,
                    "url": request.build_absolute_uri(a.get_absolute_url()),
                }
                for a in found
            ]
        }
    )


# --- Technicians: canned replies --------------------------------------------------------


@staff_required
@require_GET
def macro_list(request: HttpRequest) -> HttpResponse:
    macros = list(selectors.macros_for(request.user).select_related("owner"))
    return render(request, "kb/macro_list.html", {"macros": macros})


def _macro_form(request: HttpRequest, macro: Macro) -> HttpResponse:
    form = MacroForm(request.POST or None, instance=macro)
    if request.method == "POST" and form.is_valid():
        macro = form.save(commit=False)
        macro.owner = None if form.cleaned_data["shared"] else request.user
        macro.save()
        messages.success(request, _("The canned reply has been saved."))
        return redirect("kb:macro_list")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "kb/macro_form.html", {"form": form, "macro": macro}, status=status)


@staff_required
def macro_create(request: HttpRequest) -> HttpResponse:
    return _macro_form(request, Macro())


@staff_required
def macro_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _macro_form(request, get_object_or_404(selectors.macros_for(request.user), pk=pk))


@staff_required
@require_POST
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(selectors.macros_for(request.user), pk=pk).delete()
    messages.success(request, _("The canned reply has been deleted."))
    return redirect("kb:macro_list")


@staff_required
@require_POST
def macro_apply(request: HttpRequest, pk: int, ticket_pk: int) -> HttpResponse:
    """Send a canned reply on a ticket, with its status change and time entry."""
    macro = get_object_or_404(selectors.macros_for(request.user), pk=pk)
    ticket = get_ticket(request, ticket_pk)
    try:
        services.apply_macro(macro, ticket, by=request.user)
    except (KbError, ticket_services.TicketError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Canned reply “%(name)s” sent.") % {"name": macro.name})
    return redirect(reverse("tickets:detail", kwargs={"pk": ticket.pk}))


# --- Images -------------------------------------------------------------------------------


@require_GET
def image(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Serve an article's image only to whoever may read the article."""
    found = get_object_or_404(selectors.images_visible_to(request.user), pk=pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required
@require_POST
def image_upload(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    uploaded = request.FILES.get("image")
    if uploaded is None:
        messages.error(request, _("Choose an image to upload."))
    else:
        try:
            added = services.add_image(article, uploaded, by=request.user)
        except (KbError, ticket_services.TicketError) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Image added. Write it in the body as: %(markdown)s")
                % {"markdown": f"![{added.name}]({added.get_absolute_url()})"},
            )
    return redirect("kb:article_edit", pk=article.pk)
