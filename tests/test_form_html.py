"""helpdesk.form_html (issue 15) renders a form as ``{{ form|crispy }}`` does: the same
elements, attributes, ids and error markup (compared as HTML, whitespace aside), for the
forms of the ticket pages and for widgets they do not use, unbound and bound with errors."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import translation

from helpdesk.form_html import render_form, supported
from tickets.forms import NoteForm, OutOfScopeForm, ReplyForm, StaffReplyForm, StatusForm
from tickets.forms.charging import DeclineForm, EstimateForm, TimeEntryForm
from tickets.forms.vault import CredentialForm
from tickets.models import Ticket


class Everything(forms.Form):
    name = forms.CharField(label="Name <b>", help_text="Help <i>with</i> markup", max_length=5)
    email = forms.EmailField(required=False)
    age = forms.IntegerField(min_value=1, label="")
    agree = forms.BooleanField(label="I agree", help_text="Check it")
    optional = forms.BooleanField(required=False)
    color = forms.ChoiceField(
        choices=[("", "—"), ("r", "Red & <red>"), ("Dark", [("k", "Black"), ("n", "Navy")])]
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(required=False, help_text="A file")
    files = forms.FileField(required=True)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    disabled = forms.CharField(disabled=True, required=False, initial='quote " & <tag>')
    styled = forms.CharField(widget=forms.TextInput(attrs={"class": "wide"}), required=False)

    def clean(self):
        raise forms.ValidationError("Whole form <wrong>")


def ticket(status=Ticket.Status.IN_PROGRESS):
    return Ticket(status=status)


FORMS = {
    "reply": lambda **kw: ReplyForm(**kw),
    "staff reply": lambda **kw: StaffReplyForm(ticket=ticket(), **kw),
    "note": lambda **kw: NoteForm(**kw),
    "status": lambda **kw: StatusForm(ticket=ticket(), **kw),
    "scope": lambda **kw: OutOfScopeForm(**kw),
    "time": lambda **kw: TimeEntryForm(**kw),
    "estimate": lambda **kw: EstimateForm(**kw),
    "decline": lambda **kw: DeclineForm(**kw),
    "credential": lambda **kw: CredentialForm(**kw),
    "everything": lambda **kw: Everything(**kw),
}
BOUND = {
    "empty": {},
    "filled": {
        "body": "Hola <script>",
        "reply-body": "x",
        "note-body": "y",
        "status-status": "nonsense",
        "scope-reason": "other",
        "time-minutes": "-3",
        "time-channel": "phone",
        "time-note": "n" * 600,
        "estimate-credits": "0",
        "estimate-description": 'a "b" <c>',
        "reason": "",
        "credential-label": "Panel",
        "name": "too long a name",
        "email": "not an email",
        "age": "7",
        "agree": "on",
        "color": "n",
        "many": ["a", "b"],
        "secret": "s3cr&t",
        "day": "2026-12-04",
        "hidden": "h<i>",
    },
}


def same(form_factory, **kwargs):
    ours = str(render_form(form_factory(**kwargs)))
    theirs = str(as_crispy_form(form_factory(**kwargs)))
    assert parse_html(ours) == parse_html(theirs), f"\nours:\n{ours}\ncrispy:\n{theirs}"
    return ours


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("name", list(FORMS))
def test_unbound_forms_render_as_crispy(name, language):
    with translation.override(language):
        html = same(FORMS[name])
    assert "is-invalid" not in html
    assert "data-error-summary" not in html


@pytest.mark.parametrize("data", list(BOUND))
@pytest.mark.parametrize("name", list(FORMS))
def test_bound_forms_render_as_crispy(name, data):
    files = {"files": SimpleUploadedFile("a.txt", b"a")} if data == "filled" else {}
    with translation.override("es"):
        html = same(FORMS[name], data=BOUND[data], files=files)
    if data == "empty" and name not in ("reply", "note", "credential"):
        assert 'aria-invalid="true"' in html
        assert "data-error-summary" in html


def test_errors_are_tied_to_their_fields():
    form = Everything(data={"name": "too long a name", "email": "x"})
    html = str(render_form(form))
    assert 'id="id_name_error" class="invalid-feedback"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="error_1_id_name"' in html
    assert "Whole form &lt;wrong&gt;" in html
    assert "Name &lt;b&gt;" in html
    assert "Help <i>with</i> markup" in html


def test_radio_buttons_go_to_crispy():
    class Radios(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    assert not supported(Radios())
    assert str(render_form(Radios())) == str(as_crispy_form(Radios()))


def test_the_filter():
    template = Template("{% load helpdesk %}{{ form|bootstrap_form }}")
    html = template.render(Context({"form": DeclineForm()}))
    assert 'id="div_id_reason"' in html
    assert 'name="reason"' in html


@pytest.mark.parametrize("data", [None, {"status": "active"}, {"status": "nonsense"}])
def test_fast_widget_is_the_widget(data):
    from tickets.forms import ClientFilterForm

    template = Template("{% load helpdesk %}{{ form.status|fast_widget }}")
    ours = template.render(Context({"form": ClientFilterForm(data)}))
    assert parse_html(ours) == parse_html(str(ClientFilterForm(data)["status"]))
    assert "<option" in ours
