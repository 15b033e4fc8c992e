"""The demo campaign's sign-on letter template (per member; works for every recipient selector and joint letters).

Merge fields are documented on the template editor page (advocacy.letters.context.FIELDS). The ask paragraph is
the campaign's ask for the recipient's standing on the bill (`ask`, edited per segment on the campaign page), so
that nobody is asked to cosponsor a bill they already sponsor or cosponsor, or a bill of the other chamber.
"""


def _body(district: str) -> str:
    """The letter body; `district` is the clause naming a House member's district (the only wording #11 changed)."""
    return (
        "{% set all = endorsements.all %}{% set local = endorsements.local %}"
        "{% if all.count %}On behalf of the {{ all.count }} undersigned {{ all.noun }}, representing "
        "{{ all.population_text }} residents, we{% else %}We{% endif %} write in support of "
        "**{{ campaign.bill.citation }}**, {{ campaign.bill.phrase }}.\n\n"
        "{% if local.count %}"
        "{{ local.count_text }} "
        "{% if recipient.is_joint %}you represent{% elif recipient.chamber == 'senate' %}in your state"
        + district
        + " {{ local.have }} endorsed"
        "{% if local.all_named %}: {{ local.named_text }}{% else %}, including {{ local.named_text }}{% endif %}. "
        "{% if local.count == 1 %}Its mayor's office signs{% else %}Their mayors' offices sign{% endif %} below.\n\n"
        "{% endif %}"
        "Cities and states already act abroad every day: they attract investment and jobs, welcome visitors and "
        "students, and work with partner cities on climate, trade and public health. They do it without a door "
        "into the Department of State. {{ campaign.bill.citation }} would give them one.\n\n"
        "{{ ask }}\n\n"
        "Our offices would welcome the chance to brief your staff."
    )


DEMO_TEMPLATE = dict(
    slug="city-diplomacy-sign-on",
    name="City diplomacy sign-on letter (per member)",
    re_line="Support for {{ campaign.bill.citation }}, {{ campaign.bill.phrase }}",
    body_format="markdown",
    body=_body("{% elif local.partial %}in or partly in your district{% else %}in your district{% endif %}"),
    closing="Sincerely,",
    signature_block="The undersigned cities (listed below)",
    letterhead_name="City Diplomacy Coalition",
    letterhead_address="",
)

# Earlier wordings of the demo template (asked every recipient to cosponsor, counted samples): a `demo load` brings an
# unedited copy up to date, as a new version.
SUPERSEDED = [
    dict(
        # #11's wording: said "in your district" of a city only partly in it.
        re_line=DEMO_TEMPLATE["re_line"],
        body=_body("{% else %}in your district{% endif %}"),
    ),
    dict(
        re_line="Support {{ campaign.bill.citation }}, {{ campaign.bill.title }}",
        body=(
            "On behalf of the {{ endorsements.all.count }} undersigned cities, representing {{ "
            "endorsements.all.population_text }} residents, we write to ask for your support of **{{ "
            "campaign.bill.citation }}**, {{ campaign.bill.title }}.\n\n{% if endorsements.local.count %}{{ "
            "endorsements.local.count }} of these cities are in {% if recipient.is_joint %}the districts and "
            "states you represent{% elif recipient.chamber == 'senate' %}your state{% else %}your district{% "
            "endif %}: {{ endorsements.local.names }}. They are listed first below.\n\n{% endif %}Cities and "
            "states already act abroad every day: they attract investment and jobs, welcome visitors and "
            "students, and work with partner cities on climate, trade and public health. They do it without "
            "a door into the Department of State. {{ campaign.bill.citation }} would give them one.\n\n{{ "
            "campaign.ask }}\n\nWe respectfully ask you to cosponsor {{ campaign.bill.citation }} and to "
            "support its consideration in committee. Our offices would welcome the chance to brief your "
            "staff."
        ),
    ),
]
