"""The schema of release 0.1.0, exactly as its create_all made it.

Written with plain SQLAlchemy types (not SQLModel's) so this file means the same
whatever SQLModel version is installed later. Databases made by 0.1.0 have no
alembic_version table; knowledge.db stamps them at this revision.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 12:35:54.164451
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('provinces', sa.String(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(), nullable=True),
    sa.Column('added_by', sa.String(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_content_hash'), ['content_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_document_published'), ['published'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('questionlog',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('found', sa.Boolean(), nullable=False),
    sa.Column('top_document_id', sa.Integer(), nullable=True),
    sa.Column('top_passage_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('questionlog', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionlog_asked_at'), ['asked_at'], unique=False)

    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_type', sa.String(), nullable=False),
    sa.Column('chat_title', sa.String(), nullable=True),
    sa.Column('provinces', sa.String(), nullable=False),
    sa.Column('topics', sa.String(), nullable=False),
    sa.Column('lead_days', sa.String(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('deactivated_reason', sa.String(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chat_id')
    )
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_active'), ['active'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questionlog.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'user_id')
    )
    op.create_table('passage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('tokens', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passage_document_id'), ['document_id'], unique=False)

    op.create_table('deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('passage_id', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('precision', sa.String(), nullable=False),
    sa.Column('task', sa.Text(), nullable=False),
    sa.Column('agency', sa.String(), nullable=True),
    sa.Column('provinces', sa.String(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('is_horizon', sa.Boolean(), nullable=False),
    sa.Column('added_by', sa.String(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['passage_id'], ['passage.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_due'), ['due'], unique=False)

    op.create_table('deadlinecompletion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('user_name', sa.String(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deadline_id', 'chat_id')
    )
    with op.batch_alter_table('deadlinecompletion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadlinecompletion_deadline_id'), ['deadline_id'], unique=False)

    op.create_table('remindersent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deadline_id', 'chat_id', 'kind')
    )
    with op.batch_alter_table('remindersent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remindersent_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index('ix_remindersent_digest_once', ['chat_id', 'kind'], unique=True, sqlite_where=sa.text('deadline_id IS NULL'), postgresql_where=sa.text('deadline_id IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('remindersent', schema=None) as batch_op:
        batch_op.drop_index('ix_remindersent_digest_once', sqlite_where=sa.text('deadline_id IS NULL'), postgresql_where=sa.text('deadline_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_remindersent_chat_id'))

    op.drop_table('remindersent')
    with op.batch_alter_table('deadlinecompletion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlinecompletion_deadline_id'))

    op.drop_table('deadlinecompletion')
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_due'))
        batch_op.drop_index(batch_op.f('ix_deadline_document_id'))

    op.drop_table('deadline')
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passage_document_id'))

    op.drop_table('passage')
    op.drop_table('feedback')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_active'))

    op.drop_table('subscription')
    with op.batch_alter_table('questionlog', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionlog_asked_at'))

    op.drop_table('questionlog')
    op.drop_table('meta')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_published'))
        batch_op.drop_index(batch_op.f('ix_document_content_hash'))

    op.drop_table('document')
