"""Census places and districts: a city's kind, Census name, population source and year, staff endorsable
override; a city-district link's share and whole/partial; the districts a signer confirmed.

Revision ID: h12_census_districts
Revises: h16_bill_texts
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "h12_census_districts"
down_revision = "h16_bill_texts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("city", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("census_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("endorsable_override", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("population_source", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("population_year", sa.Integer(), nullable=True))
    with op.batch_alter_table("city_district", schema=None) as batch_op:
        batch_op.add_column(sa.Column("share", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("whole", sa.Boolean(), nullable=True))
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signer_districts", sa.JSON(), nullable=True))
    # Populations imported before this revision came from GeoNames (the only place file the app read).
    op.execute("UPDATE city SET population_source = 'GeoNames' WHERE population IS NOT NULL AND geonames_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.drop_column("signer_districts")
    with op.batch_alter_table("city_district", schema=None) as batch_op:
        batch_op.drop_column("whole")
        batch_op.drop_column("share")
    with op.batch_alter_table("city", schema=None) as batch_op:
        batch_op.drop_column("population_year")
        batch_op.drop_column("population_source")
        batch_op.drop_column("endorsable_override")
        batch_op.drop_column("census_name")
        batch_op.drop_column("kind")
