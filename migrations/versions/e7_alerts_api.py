"""Alerts, webhooks and API tokens: follows, per-user cadence, delivery log, alert runs, webhook endpoints and
deliveries, hashed personal API tokens.

Revision ID: e7_alerts_api
Revises: 1e22e36e9736
Create Date: 2026-07-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e7_alerts_api"
down_revision = "1e22e36e9736"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('emails_queued', sa.Integer(), nullable=False),
    sa.Column('digests_queued', sa.Integer(), nullable=False),
    sa.Column('mails_sent', sa.Integer(), nullable=False),
    sa.Column('mails_failed', sa.Integer(), nullable=False),
    sa.Column('webhooks_delivered', sa.Integer(), nullable=False),
    sa.Column('webhooks_failed', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_run'))
    )
    op.create_index(op.f('ix_alert_run_started_at'), 'alert_run', ['started_at'], unique=False)
    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    op.create_table('alert_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=12), nullable=False),
    sa.Column('target_key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_alert_follow_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_follow')),
    sa.UniqueConstraint('user_id', 'target_type', 'target_key', name=op.f('uq_alert_follow_user_id_target_type_target_key'))
    )
    op.create_index(op.f('ix_alert_follow_target_key'), 'alert_follow', ['target_key'], unique=False)
    op.create_index(op.f('ix_alert_follow_user_id'), 'alert_follow', ['user_id'], unique=False)
    op.create_table('alert_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('last_digest_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_alert_settings_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_alert_settings'))
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_index(op.f('ix_api_token_user_id'), 'api_token', ['user_id'], unique=False)
    op.create_table('alert_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('mail_message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_alert_delivery_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mail_message_id'], ['mail_message.id'], name=op.f('fk_alert_delivery_mail_message_id_mail_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_alert_delivery_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_delivery')),
    sa.UniqueConstraint('event_id', 'recipient', 'channel', name=op.f('uq_alert_delivery_event_id_recipient_channel'))
    )
    op.create_index(op.f('ix_alert_delivery_event_id'), 'alert_delivery', ['event_id'], unique=False)
    op.create_index(op.f('ix_alert_delivery_state'), 'alert_delivery', ['state'], unique=False)
    op.create_index(op.f('ix_alert_delivery_user_id'), 'alert_delivery', ['user_id'], unique=False)
    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], name=op.f('fk_webhook_delivery_endpoint_id_webhook_endpoint'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_webhook_delivery_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    sa.UniqueConstraint('event_id', 'endpoint_id', name=op.f('uq_webhook_delivery_event_id_endpoint_id'))
    )
    op.create_index(op.f('ix_webhook_delivery_endpoint_id'), 'webhook_delivery', ['endpoint_id'], unique=False)
    op.create_index(op.f('ix_webhook_delivery_event_id'), 'webhook_delivery', ['event_id'], unique=False)
    op.create_index(op.f('ix_webhook_delivery_next_attempt_at'), 'webhook_delivery', ['next_attempt_at'], unique=False)
    op.create_index(op.f('ix_webhook_delivery_state'), 'webhook_delivery', ['state'], unique=False)
    


def downgrade():
    op.drop_index(op.f('ix_webhook_delivery_state'), table_name='webhook_delivery')
    op.drop_index(op.f('ix_webhook_delivery_next_attempt_at'), table_name='webhook_delivery')
    op.drop_index(op.f('ix_webhook_delivery_event_id'), table_name='webhook_delivery')
    op.drop_index(op.f('ix_webhook_delivery_endpoint_id'), table_name='webhook_delivery')
    op.drop_table('webhook_delivery')
    op.drop_index(op.f('ix_alert_delivery_user_id'), table_name='alert_delivery')
    op.drop_index(op.f('ix_alert_delivery_state'), table_name='alert_delivery')
    op.drop_index(op.f('ix_alert_delivery_event_id'), table_name='alert_delivery')
    op.drop_table('alert_delivery')
    op.drop_index(op.f('ix_api_token_user_id'), table_name='api_token')
    op.drop_table('api_token')
    op.drop_table('alert_settings')
    op.drop_index(op.f('ix_alert_follow_user_id'), table_name='alert_follow')
    op.drop_index(op.f('ix_alert_follow_target_key'), table_name='alert_follow')
    op.drop_table('alert_follow')
    op.drop_table('webhook_endpoint')
    op.drop_index(op.f('ix_alert_run_started_at'), table_name='alert_run')
    op.drop_table('alert_run')
    
