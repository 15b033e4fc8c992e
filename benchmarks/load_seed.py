"""Seed a database for the load test: the demo data plus 20,000 cities, 10,000 verified endorsements of the
demo campaign and 535 members (synthetic, clearly named "Loadtown"/"Member"), and a staff account.

    APP_ENV=production SECRET_KEY=x DATABASE_URL=... python benchmarks/load_seed.py EMAIL PASSWORD
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.auth.services import create_user  # noqa: E402
from advocacy.demo.services import load_demo  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.models import Campaign, City, CityDistrict, Endorsement, Member  # noqa: E402
from advocacy.models.base import utcnow  # noqa: E402

STATES = [
    "CA",
    "TX",
    "NY",
    "FL",
    "IL",
    "PA",
    "OH",
    "GA",
    "NC",
    "MI",
    "NJ",
    "VA",
    "WA",
    "AZ",
    "MA",
    "TN",
    "IN",
    "MD",
    "MO",
    "WI",
    "CO",
    "MN",
    "SC",
    "AL",
    "LA",
    "KY",
    "OR",
    "OK",
    "CT",
    "UT",
]


def main(email: str, password: str) -> None:
    app = create_app()
    with app.app_context():
        load_demo()
        create_user(email, password, "admin", actor="load-seed")
        db.session.commit()
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        db.session.execute(
            insert(Member),
            [
                dict(
                    bioguide_id=f"Z{n:06d}",
                    first_name="Member",
                    last_name=f"Number {n}",
                    chamber="house",
                    state=STATES[n % len(STATES)],
                    district=n % 20 + 1,
                    party="Democrat" if n % 2 else "Republican",
                    is_current=True,
                    source="load",
                    updated_at=utcnow(),
                )
                for n in range(535)
            ],
        )
        now = utcnow()
        db.session.execute(
            insert(City),
            [
                dict(
                    name=f"Loadtown {n}",
                    state=STATES[n % len(STATES)],
                    population=500 + n * 37,
                    latitude=30 + (n % 170) / 10,
                    longitude=-120 + (n % 500) / 10,
                    email_domains=[],
                )
                for n in range(20_000)
            ],
        )
        ids = db.session.execute(select(City.id, City.state).where(City.name.like("Loadtown %"))).all()
        db.session.execute(
            insert(CityDistrict),
            [dict(city_id=city_id, state=state, district=city_id % 20 + 1, source="import") for city_id, state in ids],
        )
        db.session.execute(
            insert(Endorsement),
            [
                dict(
                    campaign_id=campaign.id,
                    city_id=city_id,
                    status="verified",
                    signer_name=f"Signer {city_id}",
                    signer_title="Mayor",
                    created_at=now,
                    confirmed_at=now,
                    verified_at=now,
                )
                for city_id, _ in ids[:10_000]
            ],
        )
        db.session.commit()
        print(f"seeded: 535 members, {len(ids)} cities, 10000 endorsements; login {email}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
