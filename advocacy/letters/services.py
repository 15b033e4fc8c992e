"""Letter services: templates and their versions, logos, recipients, batches, cancelling, the delivery log.

Plain functions that never touch `request`: views, the CLI and tests call them. They add and flush; the caller
commits (a batch must be committed before `start_batch`, because worker processes read it from the database).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from advocacy.bills.texts import letter_changes
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.jobs import JobRunner, JobTimeout, PoolRunner, get_runner, local_pool
from advocacy.letters.addressing import long_date, member_data
from advocacy.letters.context import SAMPLE_MEMBER, build_context, sample_shared, signs_as, text_changes
from advocacy.letters.errors import LetterError
from advocacy.letters.logos import LOGO_MAX_BYTES, check_logo, sanitise_svg
from advocacy.letters.standing import committee_title_name, load_bill_facts
from advocacy.letters.tasks import DEFAULT_TIMEOUT, check_template, finalize_batch, lease_seconds, run_chunk, write_spec
from advocacy.models import (
    Campaign,
    City,
    Committee,
    CommitteeMembership,
    Cosponsorship,
    Endorsement,
    Letter,
    LetterBatch,
    LetterDelivery,
    LetterTemplate,
    LetterTemplateVersion,
    Member,
)
from advocacy.models.base import utcnow
from advocacy.models.campaigns import VERIFIED
from advocacy.models.letters import (
    BATCH_CANCELLED,
    BATCH_CANCELLING,
    BATCH_FINAL_STATUSES,
    BATCH_QUEUED,
    BATCH_RUNNING,
    DELIVERY_METHODS,
    LETTER_CANCELLED,
    LETTER_FAILED,
    LETTER_QUEUED,
    LETTER_RENDERING,
    VERSIONED_FIELDS,
)
from advocacy.representation import approximate_warnings, cities_represented, states_touched

logger = logging.getLogger(__name__)

TEMPLATE_TEXT_FIELDS = (
    "slug",
    "name",
    "re_line",
    "body",
    "body_format",
    "closing",
    "signature_block",
    "letterhead_name",
    "letterhead_address",
)


# --- logos: advocacy.letters.logos (check_logo, sanitise_svg, LOGO_MAX_BYTES are re-exported here) -------------


# --- templates -------------------------------------------------------------------------------------------------


def template_snapshot(template: LetterTemplate | LetterTemplateVersion) -> dict:
    """The renderer's view of a template (plain data)."""
    return {name: getattr(template, name) for name in VERSIONED_FIELDS}


def check_template_fields(data: dict[str, Any], *, timeout: float | None = None) -> list[dict]:
    """Dry-render the template's fields against sample data, in a worker (time- and memory-limited).

    Returns the problems: [{"field", "label", "line", "message"}]; empty when the template is fine.
    """
    snapshot = {name: data.get(name) for name in VERSIONED_FIELDS}
    timeout = timeout or current_app.config.get("LETTER_CHECK_TIMEOUT", 5.0)
    try:
        return local_pool().call(check_template, snapshot, sample_shared(snapshot), [SAMPLE_MEMBER], timeout=timeout)
    except JobTimeout:
        return [{"field": "body", "label": "body", "line": None, "message": "took too long to render (time limit)"}]


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    query = select(LetterTemplate.id).where(LetterTemplate.slug == slug)
    if exclude_id is not None:
        query = query.where(LetterTemplate.id != exclude_id)
    return db.session.scalar(query) is not None


def add_version(template: LetterTemplate, actor: str) -> LetterTemplateVersion:
    """Freeze the template as it is now as its next version."""
    template.version = (template.version or 0) + 1
    version = LetterTemplateVersion(number=template.version, created_by=actor, **template_snapshot(template))
    template.versions.append(version)
    return version


def save_template(
    template: LetterTemplate | None,
    data: dict[str, Any],
    *,
    actor: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> LetterTemplate:
    """Create (template None) or update a template from form data; every save keeps a new version."""
    slug = (data.get("slug") or "").strip()
    if _slug_taken(slug, template.id if template else None):
        raise LetterError(f"The slug “{slug}” is already used by another template.")
    creating = template is None
    if template is None:
        template = LetterTemplate()
        db.session.add(template)
    for name in TEMPLATE_TEXT_FIELDS:
        if name in data:
            setattr(template, name, (data[name] or "").replace("\r\n", "\n"))
    if logo is not None:
        template.logo, template.logo_mime = check_logo(logo)
    elif remove_logo:
        template.logo, template.logo_mime = None, None
    version = add_version(template, actor)
    db.session.flush()
    record_event(
        "letter_template.created" if creating else "letter_template.saved",
        f"Letter template “{template.name}” {'created' if creating else 'saved'} (version {version.number})",
        actor=actor,
    )
    logger.info("%s saved letter template %s version %s", actor, template.slug, version.number)
    return template


def duplicate_template(template: LetterTemplate, *, actor: str) -> LetterTemplate:
    """A copy of a template under a new slug ("…-copy", "…-copy-2"), starting at version 1."""
    base = f"{template.slug}-copy"[:74]
    slug, n = base, 1
    while _slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    data = {name: getattr(template, name) for name in TEMPLATE_TEXT_FIELDS}
    data.update(slug=slug, name=f"Copy of {template.name}"[:200])
    copy = save_template(None, data, actor=actor)
    copy.logo, copy.logo_mime = template.logo, template.logo_mime
    copy.versions[0].logo, copy.versions[0].logo_mime = template.logo, template.logo_mime
    return copy


def delete_template(template: LetterTemplate, *, actor: str) -> None:
    """Delete a template and its versions; refused while batches made from it are kept."""
    used = db.session.scalar(select(func.count(LetterBatch.id)).where(LetterBatch.template_id == template.id))
    if used:
        raise LetterError(f"“{template.name}” was used for {used} batch(es): delete those first, or keep the template.")
    record_event("letter_template.deleted", f"Letter template “{template.name}” deleted", actor=actor)
    logger.info("%s deleted letter template %s", actor, template.slug)
    db.session.delete(template)
    db.session.flush()


def ensure_version(template: LetterTemplate, actor: str = "system") -> LetterTemplateVersion:
    """The template's latest version (made now for a template that was never saved through the app)."""
    latest = db.session.scalar(
        select(LetterTemplateVersion)
        .where(LetterTemplateVersion.template_id == template.id)
        .order_by(LetterTemplateVersion.number.desc())
        .limit(1)
    )
    if latest is None:
        latest = add_version(template, actor)
        db.session.flush()
    return latest


# --- recipients ------------------------------------------------------------------------------------------------

SELECTOR_HELP = (
    "committee:HSFA (or a subcommittee such as HSFA16), leaders:HSFA (chair and ranking member, one joint letter), "
    "state:CA, member:L000582 (or several: member:L000582,M001137), endorsers, cosponsors, noncosponsors, all"
)
LEADER_TITLES = ("Chair", "Chairman", "Chairwoman")


@dataclass
class Recipients:
    """The addressees of a batch: one list of members per letter; `joint` forces one letter to all.

    `committee`: a joint letter to a whole committee (its name in title form, chamber, office address);
    `committee_letter`: the letter goes to a committee of referral of the bill (or its leaders), which picks the
    committee ask; `notes`: what the batch summary reports (vacant seats).
    """

    letters: list[list[dict]]
    description: str
    committee: dict | None = None
    committee_letter: bool = False
    notes: list[str] = field(default_factory=list)


def _order(members: list[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (m.state or "", m.chamber != "senate", m.district or 0, m.last_name))


def _current(query: Any) -> list[Member]:
    return list(db.session.scalars(query.where(Member.is_current.is_(True))))


def _verified_cities(campaign: Campaign, include_samples: bool = False) -> list[City]:
    query = (
        select(City)
        .join(Endorsement, Endorsement.city_id == City.id)
        .where(Endorsement.campaign_id == campaign.id, Endorsement.status == VERIFIED)
    )
    if not include_samples:
        query = query.where(Endorsement.source_note.is_(None))
    return list(db.session.scalars(query.options(selectinload(City.districts)).order_by(City.state, City.name)))


def vacant_seats(states: set[str]) -> list[str]:
    """Seats of these states with no current member, from the imported roster: House districts up to the state's
    highest current district that no current member holds, and Senate seats short of two (demo data: none)."""
    if not states:
        return []
    members = db.session.scalars(select(Member).where(Member.state.in_(states))).all()
    vacant = []
    for state in sorted(states):
        here = [m for m in members if m.state == state]
        current = {m.district for m in here if m.is_current and m.chamber == "house"}
        from_roster = any(m.source != "demo" for m in here if m.is_current)
        if not from_roster:  # demo members only: without the imported roster there is nothing to count seats by
            expected = set()
        elif current and 0 not in current:
            expected = set(range(1, max(current) + 1))
        elif current:
            expected = {0}
        else:  # no current House member at all: the seats former members held
            expected = {m.district for m in here if m.chamber == "house" and m.district is not None}
        for district in sorted(d for d in expected - current if d is not None):
            former = [m.display_name for m in here if m.district == district and not m.is_current]
            seat_name = f"{state}-{'AL' if district == 0 else district}"
            vacant.append(f"{seat_name} (House) is vacant" + (f": formerly {', '.join(former)}" if former else ""))
        senators = sum(1 for m in here if m.is_current and m.chamber == "senate")
        if from_roster and state not in ("DC", "PR", "GU", "VI", "AS", "MP") and senators < 2:
            vacant.append(f"{state}: {2 - senators} Senate seat(s) vacant")
    return vacant


def _is_referral(committee: Committee, campaign: Campaign) -> bool:
    bill = campaign.current_bill
    if bill is None:
        return False
    codes = {c.committee_code for c in bill.committees}
    return committee.system_code in codes or (committee.parent is not None and committee.parent.system_code in codes)


def resolve_recipients(
    selector: str, campaign: Campaign, *, joint: bool = False, include_samples: bool = False
) -> Recipients:
    """Turn a selector (see SELECTOR_HELP) into the current members each letter goes to.

    Former members are never written to: naming one is refused; committee and state selectors report the seats
    with no current member. `joint` with a committee selector makes one letter to the whole committee.
    """
    kind, _, arg = selector.strip().partition(":")
    kind, arg = kind.strip().lower(), arg.strip()
    titles: dict[str, tuple[str | None, str | None]] = {}
    notes: list[str] = []
    committee_data = None
    committee_letter = False
    if kind in ("committee", "leaders"):
        committee = db.session.get(Committee, arg.upper())
        if committee is None:
            raise LetterError(f"No committee “{arg}” (use its thomas id, e.g. HSFA, SSFR or HSFA16).")
        all_seats = db.session.scalars(
            select(CommitteeMembership)
            .join(Member)
            .where(CommitteeMembership.committee_id == committee.thomas_id)
            .options(selectinload(CommitteeMembership.member))
            .order_by(CommitteeMembership.party_side, CommitteeMembership.rank)
        ).all()
        seats = [s for s in all_seats if s.member.is_current]
        notes += [
            f"{s.member.display_name} ({s.member.seat}) is listed on {committee.name} but is no longer a member of "
            "Congress: left out"
            for s in all_seats
            if not s.member.is_current
        ]
        if kind == "leaders":
            chair = [s for s in seats if s.title in LEADER_TITLES]
            ranking = [s for s in seats if s.title == "Ranking Member"]
            seats = chair[:1] + ranking[:1]
            if len(seats) < 2:
                raise LetterError(f"{committee.name}: no chair and ranking member on file.")
            joint = True
        members = [s.member for s in seats]
        title_name = committee_title_name(committee)
        titles = {s.member_id: (s.title, title_name) for s in seats}
        committee_letter = _is_referral(committee, campaign)
        if kind == "committee" and joint:
            committee_data = {
                "thomas_id": committee.thomas_id,
                "name": title_name,
                "chamber": committee.chamber,
                "address": committee.address or (committee.parent.address if committee.parent else None),
                "is_sub": committee.parent is not None,
            }
        description = f"{'leaders of ' if kind == 'leaders' else ''}{committee.name}"
    elif kind == "state":
        members = _order(_current(select(Member).where(Member.state == arg.upper())))
        notes += vacant_seats({arg.upper()})
        description = f"delegation of {arg.upper()}"
    elif kind == "member":
        ids = [part.strip().upper() for part in re.split(r"[,\s]+", arg) if part.strip()]
        found = {m.bioguide_id: m for m in db.session.scalars(select(Member).where(Member.bioguide_id.in_(ids)))}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise LetterError(f"Unknown bioguide id(s): {', '.join(unknown)}.")
        former = [found[i] for i in ids if not found[i].is_current]
        if former:
            names = ", ".join(f"{m.display_name} ({m.bioguide_id})" for m in former)
            raise LetterError(f"No longer a member of Congress: {names}. Letters go to current members only.")
        members = [found[i] for i in dict.fromkeys(ids)]
        description = "hand-picked members"
    elif kind == "endorsers":
        cities = _verified_cities(campaign, include_samples)
        candidates = _current(select(Member).where(Member.state.in_(states_touched(cities))))
        members = _order([m for m in candidates if cities_represented(m, cities)])
        # Districts that have endorsing cities but no current member (a vacancy) are reported.
        seats_wanted = {(d.state, d.district) for c in cities for d in c.districts}
        held = {(m.state, m.district) for m in members if m.chamber == "house"}
        notes += [
            f"{state}-{'AL' if district == 0 else district} (House) has endorsing cities but no current member"
            for state, district in sorted(seats_wanted - held)
        ]
        description = "members representing endorsing cities"
    elif kind in ("cosponsors", "noncosponsors"):
        bill = campaign.current_bill
        if bill is None:
            raise LetterError("The campaign has no bill.")
        cosponsor_ids = set(
            db.session.scalars(
                select(Cosponsorship.member_id).where(
                    Cosponsorship.bill_id == bill.id, Cosponsorship.withdrawn_date.is_(None)
                )
            )
        )
        if kind == "cosponsors":
            members = _order(_current(select(Member).where(Member.bioguide_id.in_(cosponsor_ids))))
            description = f"cosponsors of {bill.display}"
        else:
            chamber = "senate" if bill.bill_type.startswith("s") else "house"
            excluded = cosponsor_ids | {bill.sponsor_id}
            members = _order(
                [m for m in _current(select(Member).where(Member.chamber == chamber)) if m.bioguide_id not in excluded]
            )
            description = f"{chamber.title()} members not cosponsoring {bill.display}"
    elif kind == "all":
        members = _order(_current(select(Member)))
        description = "all current members"
    else:
        raise LetterError(f"Unknown recipients “{selector}”. Use one of: {SELECTOR_HELP}.")
    if not members:
        raise LetterError(f"No current members match “{selector}”.")
    data = [member_data(m, *titles.get(m.bioguide_id, (None, None))) for m in members]
    letters = [data] if joint else [[d] for d in data]
    return Recipients(
        letters=letters,
        description=description,
        committee=committee_data,
        committee_letter=committee_letter and joint,
        notes=notes,
    )


# --- batches ---------------------------------------------------------------------------------------------------


def bill_phrase(bill: Any) -> str:
    """The bill as a sentence names it: "the City and State Diplomacy Act", else from its official title:
    "a bill to enhance subnational diplomacy efforts within the Department of State"."""
    if bill.short_title:
        return f"the {bill.short_title.strip().rstrip('.')}"
    title = re.sub(r",? and for other purposes\.?$", "", (bill.title or "").strip()).rstrip(".")
    if title[:3].lower() == "to ":
        return f"a bill to {title[3:]}"
    return title


def _bill_data(bill: Any) -> dict:
    return {
        "citation": bill.display,
        "title": bill.display_title.rstrip("."),
        "official_title": bill.title,
        "short_title": bill.short_title,
        "phrase": bill_phrase(bill),
        "congress": bill.congress,
        "label": bill.label,
    }


def shared_data(campaign: Campaign, template: dict, letter_date: date, *, include_samples: bool = False) -> dict:
    """What every letter of a batch shares: the campaign, the verified endorsing cities, the bill facts behind each
    recipient's standing, the campaign's asks, sender and date. Sample endorsements only with `include_samples`."""
    query = (
        select(Endorsement)
        .join(City)
        .where(Endorsement.campaign_id == campaign.id, Endorsement.status == VERIFIED)
        .options(selectinload(Endorsement.city).selectinload(City.districts))
        .order_by(City.state, City.name)
    )
    if not include_samples:
        query = query.where(Endorsement.source_note.is_(None))
    endorsements = db.session.scalars(query).all()
    endorsers = [
        {
            "name": e.city.name,
            "state": e.city.state,
            "label": e.city.label,
            "population": e.city.population or 0,
            "districts": [
                {
                    "state": d.state,
                    "district": d.district,
                    "label": d.label,
                    "basis": d.source,
                    "share": d.share,
                    "whole": d.whole,
                    "approximate": d.approximate,
                }
                for d in e.city.districts
            ],
            "districts_approximate": any(d.approximate for d in e.city.districts),
            "signer_name": e.signer_name,
            "signer_title": e.signer_title or "",
            "signs_as": signs_as(e.signer_name, e.signer_title, e.city.name),
            "sample": e.is_sample,
        }
        for e in endorsements
    ]
    bills = campaign.bills
    current = campaign.current_bill
    empty_bill = {"citation": "", "title": "", "official_title": "", "short_title": "", "phrase": "",
                  "congress": None, "label": ""}  # fmt: skip
    facts = load_bill_facts(campaign)
    return {
        "campaign": {
            "name": campaign.name,
            "slug": campaign.slug,
            "ask": campaign.ask or "",
            "bill": _bill_data(current) if current else empty_bill,
            "bills": [_bill_data(b) for b in bills],
            "changes": text_changes(letter_changes(current) if current else None),
        },
        "endorsers": endorsers,
        "facts": facts.as_dict() if facts else None,
        "asks": dict(campaign.letter_asks or {}),
        "include_samples": include_samples,
        "sender": {
            "organisation": template.get("letterhead_name") or "",
            "address": template.get("letterhead_address") or "",
            "signature": template.get("signature_block") or "",
        },
        "date_text": long_date(letter_date),
    }


POSITION_WORDS = {
    "sponsor": "sponsor", "original_cosponsor": "original cosponsor", "cosponsor": "cosponsor",
    "withdrawn": "withdrawn cosponsor", "none": "not cosponsoring",
}  # fmt: skip


def _joint_summary(members: list[dict], standings: list[dict]) -> str:
    """A joint letter's standing in the preview: each addressee for a few, counts by position for a committee."""
    if len(members) <= 4:
        return "; ".join(
            f"{m['last_name']}: {s['position_text']}" + (f", {s['committee_text']}" if s["committee_text"] else "")
            for m, s in zip(members, standings, strict=True)
        )
    parts = []
    for position, word in POSITION_WORDS.items():
        names = [m["last_name"] for m, s in zip(members, standings, strict=True) if s["position"] == position]
        if names:
            parts.append(f"{word}: {len(names)}" + (f" ({', '.join(names)})" if len(names) <= 3 else ""))
    leaders = [f"{s['leader_role']} {m['last_name']}" for m, s in zip(members, standings, strict=True)
               if s["is_committee_leader"]]  # fmt: skip
    return f"{len(members)} members; " + "; ".join(parts) + (f"; {', '.join(leaders)}" if leaders else "")


@dataclass
class PlannedLetter:
    """One row of the batch preview: who the letter goes to, their standing, the ask used, local cities."""

    members: list[dict]
    recipient: str
    standing: str
    segment: str
    ask: str
    local_cities: str
    warnings: list[str]


@dataclass
class BatchPlan:
    """What a batch will make, shown before generating (and kept with each letter for the report)."""

    recipients: Recipients
    shared: dict
    letters: list[PlannedLetter]

    @property
    def notes(self) -> list[str]:
        return self.recipients.notes


def plan_batch(
    campaign: Campaign,
    selector: str,
    *,
    joint: bool = False,
    include_samples: bool = False,
    template: dict | None = None,
    letter_date: date | None = None,
) -> BatchPlan:
    """Resolve the recipients and work out each letter's standing, ask and local cities (the preview table)."""
    recipients = resolve_recipients(selector, campaign, joint=joint, include_samples=include_samples)
    shared = shared_data(campaign, template or {}, letter_date or date.today(), include_samples=include_samples)
    rows = []
    for members in recipients.letters:
        context = build_context(
            shared, members, committee=recipients.committee, committee_letter=recipients.committee_letter
        )
        standing = context["standing"]
        local = context["endorsements"]["local"]
        warnings = [f"missing {m}" for m in context["recipient"]["missing"]]
        if not local["count"]:
            warnings.append("no endorsing city among those they represent")
        warnings.extend(approximate_warnings(context["endorsements"]["local_approximate"]["cities"]))
        if not shared["facts"]:
            warnings.append("the campaign has no bill: no standing, no ask")
        if len(members) == 1:
            standing_text = standing.get("summary") or ""
        else:
            standing_text = _joint_summary(members, standing["each"])
        rows.append(
            PlannedLetter(
                members=members,
                recipient=context["recipient"]["full_name"]
                + (f" ({context['recipient']['seat']})" if len(members) == 1 else ""),
                standing=standing_text,
                segment=standing.get("segment", ""),
                ask=context["ask"],
                local_cities=f"{local['count_text']}"
                + (f": {local['named_text']}" if local["count"] else "")
                + ("" if local["all_named"] else ", …"),
                warnings=warnings,
            )
        )
    if include_samples and any(c["sample"] for c in shared["endorsers"]):
        recipients.notes.append("Includes sample endorsements: every page is marked “SAMPLE — NOT FOR SENDING”.")
    return BatchPlan(recipients=recipients, shared=shared, letters=rows)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-")


def letter_filename(position: int, members: list[dict], committee: dict | None = None) -> str:
    """ "001-Rep-Ted-Lieu-CA-36.pdf"; joint letters: "001-Joint-Mast-Meeks.pdf"; a committee: "001-Committee-HSFA.pdf"."""
    from advocacy.letters.addressing import seat

    if committee:
        name = f"Committee-{committee['thomas_id']}"
    elif len(members) == 1:
        m = members[0]
        prefix = "Sen" if m["chamber"] == "senate" else "Rep"
        name = f"{prefix}-{m['full_name']}-{seat(m)}"
    else:
        name = "Joint-" + "-".join(m["last_name"] for m in members[:6])
    return f"{position:03d}-{_ascii(name)[:80]}.pdf"


def create_batch(
    template: LetterTemplate,
    campaign: Campaign,
    selector: str,
    *,
    joint: bool = False,
    include_samples: bool = False,
    actor: str,
    letter_date: date | None = None,
) -> LetterBatch:
    """Create a batch with one queued Letter per recipient (or one joint letter) and write its spec.

    Each letter keeps its preview row (standing, ask, local cities); the batch keeps the notes (vacant seats).
    The caller commits, then calls `start_batch`.
    """
    version = ensure_version(template, actor)
    letter_date = letter_date or date.today()
    snapshot = template_snapshot(version)
    plan = plan_batch(
        campaign, selector, joint=joint, include_samples=include_samples, template=snapshot, letter_date=letter_date
    )
    recipients = plan.recipients
    batch = LetterBatch(
        template=template,
        template_version=version,
        campaign=campaign,
        selector=selector.strip()[:200],
        joint=len(recipients.letters) == 1 and len(recipients.letters[0]) > 1,
        letter_date=letter_date,
        status=BATCH_QUEUED,
        total=len(recipients.letters),
        created_by=actor,
        job_ids=[],
        include_samples=include_samples,
        notes=list(plan.notes),
    )
    db.session.add(batch)
    for position, row in enumerate(plan.letters, start=1):
        members = row.members
        names = [m["full_name"] for m in members]
        batch.letters.append(
            Letter(
                position=position,
                member_id=members[0]["bioguide_id"] if len(members) == 1 else None,
                member_ids=[m["bioguide_id"] for m in members],
                template_version=version,
                recipient_name=(recipients.committee["name"] if recipients.committee else " and ".join(names))[:300],
                filename=letter_filename(position, members, recipients.committee),
                status=LETTER_QUEUED,
                standing=row.standing,
                ask=row.ask,
                local_cities=row.local_cities,
            )
        )
    db.session.flush()
    spec = {
        "template": snapshot,
        "shared": plan.shared,
        "letters": {
            str(letter.id): {
                "members": row.members,
                "filename": letter.filename,
                "committee": recipients.committee,
                "committee_letter": recipients.committee_letter,
            }
            for letter, row in zip(batch.letters, plan.letters, strict=True)
        },
        "timeout": current_app.config.get("LETTER_TIMEOUT", DEFAULT_TIMEOUT),
    }
    write_spec(batch.id, spec)
    record_event(
        "letter_batch.created",
        f"Letters to {recipients.description} ({batch.total}) from “{template.name}” v{version.number}"
        + (" with sample endorsements" if include_samples else ""),
        actor=actor,
        campaign_id=campaign.id,
        data={"batch_id": batch.id, "selector": batch.selector},
    )
    logger.info("%s created letter batch %s (%s, %d letters)", actor, batch.id, batch.selector, batch.total)
    return batch


def start_batch(batch: LetterBatch, runner: JobRunner | None = None) -> list[str]:
    """Queue the batch's letters as chunk jobs (the batch must be committed first); the caller commits."""
    runner = runner or get_runner()
    ids = [letter.id for letter in batch.letters]
    workers = runner.workers if isinstance(runner, PoolRunner) else 4
    size = max(1, math.ceil(len(ids) / (workers * 3)))
    batch.status = BATCH_RUNNING
    batch.lease_expires_at = utcnow() + timedelta(seconds=lease_seconds())  # its jobs renew it as they work
    db.session.commit()  # workers must see "running" before they can finish the batch
    job_ids = [runner.submit(run_chunk, batch.id, ids[i : i + size]) for i in range(0, len(ids), size)]
    batch.job_ids = job_ids
    return job_ids


BATCH_CANCELLABLE_STATUSES = (BATCH_QUEUED, BATCH_RUNNING)


def cancel_batch(batch: LetterBatch, *, actor: str) -> None:
    """Cancel a batch: letters not yet started are marked cancelled; letters being rendered finish.

    Commits (the workers must see it at once) and writes the outputs if nothing is still running. Only a queued
    or running batch can be cancelled: the status is claimed with a conditional UPDATE, so a batch that a worker is
    already finalising (or that another request is cancelling) is not finalised twice.
    """
    if batch.status in BATCH_FINAL_STATUSES:
        raise LetterError("This batch has already finished.")
    claimed = db.session.execute(
        update(LetterBatch)
        .where(LetterBatch.id == batch.id, LetterBatch.status.in_(BATCH_CANCELLABLE_STATUSES))
        .values(status=BATCH_CANCELLING)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(batch)
        if batch.status in BATCH_FINAL_STATUSES:
            raise LetterError("This batch has already finished.")
        raise LetterError("This batch is already being finished.")
    count = db.session.execute(
        update(Letter)
        .where(Letter.batch_id == batch.id, Letter.status == LETTER_QUEUED)
        .values(status=LETTER_CANCELLED)
    ).rowcount
    db.session.execute(
        update(LetterBatch).where(LetterBatch.id == batch.id).values(settled=LetterBatch.settled + count)
    )
    record_event(
        "letter_batch.cancelled",
        f"Letter batch {batch.id} cancelled ({count} letters not made)",
        actor=actor,
        campaign_id=batch.campaign_id,
    )
    logger.info("%s cancelled letter batch %s (%d letters not made)", actor, batch.id, count)
    db.session.commit()
    finalize_batch(batch.id)
    db.session.refresh(batch)


def retry_failed_letters(batch: LetterBatch, *, actor: str, interrupted: bool = False) -> int:
    """Put the batch's failed letters back in the queue (the caller commits, then calls `start_batch`).

    A finished batch retries its failed letters. With `interrupted`, a batch whose job died midway (the
    database or a worker went away: it stays "running") also retries the letters that job had claimed; only use
    it when no job of the batch is still running. Letters already made are kept. Returns how many were reset.
    """
    if batch.status == BATCH_CANCELLED:
        raise LetterError("This batch was cancelled; generate a new one.")
    if not batch.is_finished and not interrupted:
        raise LetterError("This batch is still running; retry when it has finished.")
    statuses = [LETTER_FAILED] + ([LETTER_RENDERING] if interrupted else [])
    letters = [letter for letter in batch.letters if letter.status in statuses]
    waiting = [letter for letter in batch.letters if letter.status == LETTER_QUEUED]
    if not letters and not waiting:
        raise LetterError("No letter of this batch needs retrying.")
    failed = sum(1 for letter in letters if letter.status == LETTER_FAILED)
    for letter in letters:
        letter.status, letter.error, letter.warnings = LETTER_QUEUED, None, None
    batch.settled -= failed
    batch.failed -= failed
    batch.status, batch.error, batch.finished_at = BATCH_RUNNING, None, None
    record_event(
        "letter_batch.retried",
        f"Letter batch {batch.id}: {len(letters) + len(waiting)} letter(s) retried",
        actor=actor,
        campaign_id=batch.campaign_id,
        data={"batch_id": batch.id},
    )
    logger.info("%s retried %d letter(s) of batch %s", actor, len(letters) + len(waiting), batch.id)
    db.session.flush()
    return len(letters) + len(waiting)


def batch_progress(batch: LetterBatch) -> dict:
    """The batch's state for the progress bar's JSON endpoint."""
    return {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        "settled": batch.settled,
        "percent": batch.percent,
        "finished": batch.status in BATCH_FINAL_STATUSES,
        "interrupted": batch.is_interrupted,
    }


def record_delivery(
    letter: Letter, *, method: str, sent_on: date, person: str, note: str | None, actor: str
) -> LetterDelivery:
    """Log that a letter was sent (e-mail to a staffer, fax, hand delivery, district office mail)."""
    if method not in DELIVERY_METHODS:
        raise LetterError(f"Unknown delivery method “{method}”.")
    delivery = LetterDelivery(
        letter=letter, method=method, sent_on=sent_on, person=person.strip(), note=(note or "").strip() or None,
        recorded_by=actor,
    )  # fmt: skip
    db.session.add(delivery)
    db.session.flush()
    record_event(
        "letter.sent",
        f"Letter to {letter.recipient_name} sent by {DELIVERY_METHODS[method].lower()} on {sent_on.isoformat()}",
        actor=actor,
        campaign_id=letter.batch.campaign_id,
    )
    logger.info("%s logged delivery of letter %s (%s)", actor, letter.id, method)
    return delivery


def campaign_deliveries(campaign_id: int) -> list[LetterDelivery]:
    """Every logged delivery of the campaign's letters, newest first (eager-loaded for the campaign page)."""
    return list(
        db.session.scalars(
            select(LetterDelivery)
            .join(Letter)
            .join(LetterBatch)
            .where(LetterBatch.campaign_id == campaign_id)
            .options(selectinload(LetterDelivery.letter))
            .order_by(LetterDelivery.sent_on.desc(), LetterDelivery.id.desc())
        )
    )


__all__ = [
    "BATCH_CANCELLING",
    "LOGO_MAX_BYTES",
    "sanitise_svg",
    "date",
    "member_data",
    "LetterError",
    "cancel_batch",
    "check_logo",
    "create_batch",
    "resolve_recipients",
    "save_template",
    "start_batch",
]
