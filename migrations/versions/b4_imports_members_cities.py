"""Imports of members, committees and places: city name search key, ZIP -> district table.

Revision ID: b4_imports
Revises: 1e22e36e9736
Create Date: 2026-06-20

"""

import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b4_imports"
down_revision = "1e22e36e9736"
branch_labels = None
depends_on = None


def _name_key(name: str) -> str:
    # Same as advocacy.models.cities.name_search_key (copied: migrations must not import app code).
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def upgrade():
    op.create_table(
        "zip_district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zcta", sa.String(length=5), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("district", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zip_district")),
        sa.UniqueConstraint("zcta", "state", "district", name=op.f("uq_zip_district_zcta_state_district")),
    )
    with op.batch_alter_table("zip_district", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zip_district_zcta"), ["zcta"], unique=False)

    name_key_type = sa.String(length=200).with_variant(postgresql.VARCHAR(200, collation="C"), "postgresql")
    with op.batch_alter_table("city", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", name_key_type, server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_city_name_key"), ["name_key"], unique=False)

    conn = op.get_bind()
    city = sa.table("city", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key"))
    rows = conn.execute(sa.select(city.c.id, city.c.name)).all()
    if rows:
        conn.execute(
            city.update().where(city.c.id == sa.bindparam("city_id")).values(name_key=sa.bindparam("key")),
            [{"city_id": row.id, "key": _name_key(row.name)} for row in rows],
        )


def downgrade():
    with op.batch_alter_table("city", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_name_key"))
        batch_op.drop_column("name_key")

    with op.batch_alter_table("zip_district", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zip_district_zcta"))
    op.drop_table("zip_district")
