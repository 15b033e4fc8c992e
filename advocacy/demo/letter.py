"""The demo campaign's sign-on letter template (per member; works for every recipient selector and joint letters).

Merge fields are documented on the template editor page (advocacy.letters.context.FIELDS).
"""

DEMO_TEMPLATE = dict(
    slug="city-diplomacy-sign-on",
    name="City diplomacy sign-on letter (per member)",
    re_line="Support {{ campaign.bill.citation }}, {{ campaign.bill.title }}",
    body_format="markdown",
    body=(
        "On behalf of the {{ endorsements.all.count }} undersigned cities, representing "
        "{{ endorsements.all.population_text }} residents, we write to ask for your support of "
        "**{{ campaign.bill.citation }}**, {{ campaign.bill.title }}.\n\n"
        "{% if endorsements.local.count %}"
        "{{ endorsements.local.count }} of these cities are in "
        "{% if recipient.is_joint %}the districts and states you represent"
        "{% elif recipient.chamber == 'senate' %}your state{% else %}your district{% endif %}: "
        "{{ endorsements.local.names }}. They are listed first below.\n\n"
        "{% endif %}"
        "Cities and states already act abroad every day: they attract investment and jobs, welcome visitors and "
        "students, and work with partner cities on climate, trade and public health. They do it without a door "
        "into the Department of State. {{ campaign.bill.citation }} would give them one.\n\n"
        "{{ campaign.ask }}\n\n"
        "We respectfully ask you to cosponsor {{ campaign.bill.citation }} and to support its consideration in "
        "committee. Our offices would welcome the chance to brief your staff."
    ),
    closing="Sincerely,",
    signature_block="The undersigned cities (listed below)",
    letterhead_name="City Diplomacy Coalition",
    letterhead_address="",
)
