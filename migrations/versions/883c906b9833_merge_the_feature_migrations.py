"""merge the feature migrations

Revision ID: 883c906b9833
Revises: b4_imports, c5_endorsements, d6_letters, e7_alerts_api, f8_security
Create Date: 2026-11-27 23:32:26.751469

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '883c906b9833'
down_revision = ('b4_imports', 'c5_endorsements', 'd6_letters', 'e7_alerts_api', 'f8_security')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
