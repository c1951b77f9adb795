"""Issue 11, template habits: every template line is shorter than 200 characters, partials
follow one naming scheme (<app>/partials/<name>.html, shared ones in partials/; no
_name.html files), and pagination is drawn by one partial (partials/pagination.html)."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MAX_LINE = 200


def _templates():
    files = sorted(p for p in TEMPLATES.rglob("*") if p.is_file())
    assert len(files) > 50  # the walk found the folder
    return files


def test_every_template_line_is_shorter_than_200_characters():
    long = [
        f"{path.relative_to(TEMPLATES)}:{number} ({len(line)} characters)"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) >= MAX_LINE
    ]
    assert not long, "\n".join(long)


def test_partials_have_one_naming_scheme():
    underscored = [str(p.relative_to(TEMPLATES)) for p in _templates() if p.name.startswith("_")]
    assert not underscored, underscored


def test_pagination_is_drawn_by_one_partial():
    drawing = [
        str(p.relative_to(TEMPLATES)) for p in _templates() if 'class="pagination' in p.read_text()
    ]
    assert drawing == ["partials/pagination.html"]
