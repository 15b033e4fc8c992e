"""The demo campaign's sign-on letter template (per member; the letters feature renders it)."""

DEMO_TEMPLATE = dict(
    slug="city-diplomacy-sign-on",
    name="City diplomacy sign-on letter (per member)",
    re_line="{{ campaign.bill.citation }}, {{ campaign.bill.title }}",
    body=(
        "On behalf of the {{ endorsements.all.count }} undersigned cities, representing "
        "{{ endorsements.all.population_text }} residents, we write to ask for your support of "
        "{{ campaign.bill.citation }}.\n\n"
        "{{ campaign.ask }}\n\n"
        "{% if endorsements.local.count %}Cities you represent have already endorsed: "
        "{{ endorsements.local.names }}.{% endif %}"
    ),
    closing="Sincerely,",
    signature_block="The undersigned cities",
    letterhead_name="City Diplomacy Coalition",
    letterhead_address="",
)
