"""Issue #17, letter templates: each test is an attack a red-team pass made on the sandbox, written as the attack.

A template must not forge the evidence printed in a letter (the endorsing cities and their count), leak a change
into the next letter of a batch, allocate its way past the caps, or answer 500 when it is too deep to compile; the
save-time check keeps its time limit.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from advocacy.demo.letter import DEMO_TEMPLATE
from advocacy.extensions import db
from advocacy.jobs import job
from advocacy.letters.context import SAMPLE_MEMBER, build_context, sample_shared
from advocacy.letters.render import letter_html
from advocacy.letters.sandbox import TemplateProblem, render_field
from advocacy.models import Letter, LetterTemplate
from tests.conftest import submit
from tests.letters_fixtures import run_batch

FORGERIES = [
    "{% set _ = endorsements.local.update({'count': 999, 'cities': [{'label': 'Bruce Wayne, Gotham, NY'}]}) %}Hi.",
    "{% set _ = endorsements.all.cities.append({'label': 'Bruce Wayne, Gotham, NY', 'population': 1}) %}Hi.",
    "{% set _ = endorsements.all.update(count=777) %}Hi.",
    "{{ recipient.pop('full_name') }}",
    "{% set _ = endorsements.local.cities.clear() %}Hi.",
    "{% set _ = endorsements.all.cities.sort(attribute='population') %}Hi.",
    "{% set _ = campaign.bills.reverse() %}Hi.",
    "{% set _ = endorsements.all.by_state[0].cities.pop() %}Hi.",
    "{% set _ = endorsements.local.setdefault('extra', 1) %}Hi.",
]

FORM = {
    "name": "Forger",
    "slug": "forger",
    "re_line": "{{ campaign.bill.citation }}",
    "body_format": "markdown",
    "closing": "Sincerely,",
    "signature_block": "Coalition",
    "letterhead_name": "Coalition",
    "letterhead_address": "",
}


@pytest.mark.parametrize("body", FORGERIES)
def test_a_template_that_changes_its_data_is_refused_on_save(letters_app, client, login_as, body):
    """Mutating the merge data (update, append, pop, clear, sort...) is refused on save with a message, not a 500."""
    login_as("advocate")
    response = submit(client, "/letters/templates/new", dict(FORM, body=body))
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert "not allowed: templates cannot change the letter" in page
    with letters_app.app_context():
        assert db.session.scalar(select(func.count(LetterTemplate.id))) == 0


@pytest.mark.parametrize("body", FORGERIES)
def test_a_forging_template_cannot_change_the_printed_evidence(body):
    """Rendered anyway (a template saved before the fix), the forgery fails and the data is exactly as it was."""
    shared = sample_shared()
    context = build_context(shared, [SAMPLE_MEMBER])
    before = repr(context), repr(shared)
    with pytest.raises(TemplateProblem):
        render_field(body, context)
    assert (repr(context), repr(shared)) == before


def test_a_forged_city_never_reaches_a_letter_of_a_batch(letters_app, demo, make_letter_template):
    """A saved forging template fails every letter of its batch; no letter prints the fake city or count."""
    slug = make_letter_template(
        slug="forge-batch",
        body="{% set _ = endorsements.all.cities.append({'label': 'Bruce Wayne, Gotham, NY', 'population': 1,"
        " 'name': 'Gotham', 'state': 'NY', 'districts': []}) %}{% set _ = endorsements.all.update(count=777) %}"
        "Dear {{ recipient.last_name }}.",
    )
    batch_id = run_batch(letters_app, slug, "committee:HSFA")
    with letters_app.app_context():
        letters = db.session.scalars(select(Letter).where(Letter.batch_id == batch_id)).all()
        assert letters and all(x.status == "failed" for x in letters)
        assert all("cannot change the letter's data" in x.error for x in letters)


def test_templates_get_a_read_only_copy_of_the_data():
    """Behind the method check, the data itself is read-only: mappings cannot be assigned, sequences cannot grow."""
    from advocacy.letters.sandbox import freeze

    frozen = freeze(build_context(sample_shared(), [SAMPLE_MEMBER]))
    with pytest.raises(TypeError):
        frozen["endorsements"]["all"]["count"] = 999  # type: ignore[index]
    with pytest.raises(AttributeError):
        frozen["endorsements"]["all"]["cities"].append({})
    city = frozen["endorsements"]["all"]["cities"][0]
    assert city is frozen["endorsements"]["all"]["by_state"][0]["cities"][0]  # shared items stay shared
    assert render_field("{{ endorsements.all.count }} {{ endorsements.all.names }}", frozen) == (
        "2 Los Angeles, CA; Austin, TX"
    )


def test_the_layout_prints_the_true_count_after_a_forgery_attempt():
    """Even a template whose forgery fails leaves letter_html to print the real list (checked on a fresh render)."""
    shared = sample_shared()
    with pytest.raises(TemplateProblem):
        letter_html(dict(DEMO_TEMPLATE, body=FORGERIES[1]), shared, [SAMPLE_MEMBER])
    html = letter_html(DEMO_TEMPLATE, shared, [SAMPLE_MEMBER])
    assert "Bruce Wayne" not in html
    assert "1 city in or partly in your district has endorsed: Los Angeles." in html
    assert "Sample Signer, Mayor, City of Los Angeles" in html and "City of Austin" in html


@pytest.mark.parametrize(
    "source",
    [
        "{{ ('x'.encode() * 5*10**8)|length }}",
        "{{ 'x'.encode().ljust(3*10**8)|length }}",
        "{% set l = ['x' * 1000] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}{{ l|length }}",
        "{% set l = [] %}{% for i in range(10**4) %}{% set _ = l.append('x' * 10**5) %}{% endfor %}{{ l|length }}",
    ],
)
def test_bytes_and_list_growth_are_refused_before_allocating(source):
    """bytes (str.encode) and growing lists in place are refused at once, with a message."""
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(TemplateProblem) as info:
            render_field(source, {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.message.startswith("not allowed"), info.value.message
    assert peak < 20_000_000


DEEP = [
    "{% if 1 %}" * 100 + "x" + "{% endif %}" * 100,
    "{{ " + "(" * 20_000 + "1" + ")" * 20_000 + " }}",
    "{{ 'x'" + "|upper" * 5_000 + " }}",
    "{{ " + "[" * 2_000 + "]" * 2_000 + " }}",
    "{{ 1" + " + 1" * 5_000 + " }}",
]


@pytest.mark.parametrize("body", DEEP, ids=["100-ifs", "20000-parens", "5000-filters", "2000-lists", "5000-plus"])
def test_too_deep_templates_are_refused_on_save_with_a_message(letters_app, client, login_as, body):
    """100 nested ifs, 20,000 parentheses, 5,000 chained filters: a 422 page with a message, never a 500."""
    login_as("advocate")
    response = submit(client, "/letters/templates/new", dict(FORM, body=body))
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:300]
    assert "too deeply nested or too complex" in page


def test_the_save_check_keeps_its_time_limit_across_fields(letters_app, client, login_as):
    """Endless loops in all four fields: the check answers after its limit (1 s + the kill grace), not 4 × longer.

    Each field alone would loop for minutes (10^8 iterations), so the bound below can only be met by the limit.
    """
    from advocacy.jobs import HARD_LIMIT_GRACE

    letters_app.config["LETTER_CHECK_TIMEOUT"] = 1.0
    endless = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
    login_as("advocate")
    data = dict(FORM, body=endless, re_line=endless, closing=endless, signature_block=endless)
    submit(client, "/letters/templates/new", dict(FORM, body="warm-up {{ 1 }}"))  # starts the worker pool
    started = time.monotonic()
    response = submit(client, "/letters/templates/new", dict(data, slug="endless"))
    elapsed = time.monotonic() - started
    assert response.status_code == 422
    assert "took too long" in response.get_data(as_text=True)
    assert elapsed < 1.0 + HARD_LIMIT_GRACE + 5, f"{elapsed:.1f} s"


@job
def ignore_the_timer(seconds: float) -> str:
    """Work that the worker's timer cannot stop (it ignores SIGALRM): only killing the process ends it."""
    import signal

    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(seconds)
    return "finished"


@job
def address_space_limit() -> int:
    import resource

    return resource.getrlimit(resource.RLIMIT_AS)[0]


@job
def allocate(size: int) -> int:
    return len(bytearray(size))


def test_work_that_ignores_the_timer_is_killed_at_the_hard_limit(letters_app):
    """A call that ignores the soft time limit is killed after the grace; the next call gets a fresh worker."""
    from advocacy.jobs import HARD_LIMIT_GRACE, JobTimeout, local_pool

    with letters_app.app_context():
        pool = local_pool()
        assert pool.call(allocate, 10, timeout=30) == 10  # workers started
        started = time.monotonic()
        with pytest.raises(JobTimeout):
            pool.call(ignore_the_timer, 600, timeout=1)
        elapsed = time.monotonic() - started
        assert elapsed < 1 + HARD_LIMIT_GRACE + 10, f"{elapsed:.1f} s"  # against 600 s of work
        assert pool.call(allocate, 10, timeout=30) == 10


def test_every_job_worker_has_a_memory_limit_by_default(letters_app):
    """Without LETTER_MEMORY_MB set, workers cap their address space at 1 GiB: a 2 GiB allocation fails there."""
    from advocacy.jobs import local_pool

    assert letters_app.config["LETTER_MEMORY_MB"] == 1024
    with letters_app.app_context():
        pool = local_pool()
        assert pool.call(address_space_limit, timeout=30) == 1024 * 1024 * 1024
        with pytest.raises(MemoryError):
            pool.call(allocate, 2 * 1024**3, timeout=30)
        assert pool.call(allocate, 10, timeout=30) == 10
