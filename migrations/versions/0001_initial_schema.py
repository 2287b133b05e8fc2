"""Initial schema: apps, sites, end users, sessions, conversations, messages, feedbacks, pins,
saved messages, upload files, workflow runs and node executions.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 10:14:12.845337

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('apps',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('mode', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('enable_site', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('icon_type', sa.String(length=16), nullable=True),
    sa.Column('icon', sa.String(length=255), nullable=True),
    sa.Column('icon_background', sa.String(length=32), nullable=True),
    sa.Column('model_config', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('workflow', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('max_active_requests', sa.Integer(), nullable=True),
    sa.Column('config_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apps'))
    )
    op.create_table('end_users',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=False),
    sa.Column('external_user_id', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_end_users_app_id_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_end_users'))
    )
    with op.batch_alter_table('end_users', schema=None) as batch_op:
        batch_op.create_index('ix_end_users_app_session', ['app_id', 'session_id'], unique=False)

    op.create_table('sites',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('icon_type', sa.String(length=16), nullable=True),
    sa.Column('icon', sa.String(length=255), nullable=True),
    sa.Column('icon_background', sa.String(length=32), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('copyright', sa.String(length=255), nullable=True),
    sa.Column('privacy_policy', sa.String(length=255), nullable=True),
    sa.Column('custom_disclaimer', sa.Text(), nullable=False),
    sa.Column('default_language', sa.String(length=32), nullable=False),
    sa.Column('chat_color_theme', sa.String(length=32), nullable=True),
    sa.Column('chat_color_theme_inverted', sa.Boolean(), nullable=False),
    sa.Column('prompt_public', sa.Boolean(), nullable=False),
    sa.Column('show_workflow_steps', sa.Boolean(), nullable=False),
    sa.Column('use_icon_as_answer_icon', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_sites_app_id_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('app_id', name=op.f('uq_sites_app_id')),
    sa.UniqueConstraint('code', name=op.f('uq_sites_code'))
    )
    op.create_table('conversations',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('from_end_user_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('mode', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('inputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('from_source', sa.String(length=16), nullable=False),
    sa.Column('invoke_from', sa.String(length=32), nullable=True),
    sa.Column('dialogue_count', sa.Integer(), nullable=False),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_conversations_app_id_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_end_user_id'], ['end_users.id'], name=op.f('fk_conversations_from_end_user_id_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_user_created', ['app_id', 'from_end_user_id', 'is_deleted', 'created_at'], unique=False)
        batch_op.create_index('ix_conversations_user_updated', ['app_id', 'from_end_user_id', 'is_deleted', 'updated_at'], unique=False)

    op.create_table('sessions',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('end_user_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('expiry', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['end_user_id'], ['end_users.id'], name=op.f('fk_sessions_end_user_id_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_end_user_id'), ['end_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_expiry'), ['expiry'], unique=False)

    op.create_table('upload_files',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_by', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('extension', sa.String(length=32), nullable=False),
    sa.Column('mime_type', sa.String(length=255), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_upload_files_app_id_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['end_users.id'], name=op.f('fk_upload_files_created_by_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_files'))
    )
    op.create_table('workflow_runs',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('conversation_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('message_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('workflow_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('inputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('outputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('elapsed_time', sa.Float(), nullable=False),
    sa.Column('total_tokens', sa.Integer(), nullable=False),
    sa.Column('total_steps', sa.Integer(), nullable=False),
    sa.Column('exceptions_count', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_workflow_runs_app_id_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['end_users.id'], name=op.f('fk_workflow_runs_created_by_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_runs'))
    )
    with op.batch_alter_table('workflow_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_runs_task_id'), ['task_id'], unique=False)
        batch_op.create_index('ix_workflow_runs_user', ['app_id', 'created_by', 'created_at'], unique=False)

    op.create_table('messages',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('conversation_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('from_end_user_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('parent_message_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('task_id', sa.String(length=64), nullable=True),
    sa.Column('mode', sa.String(length=32), nullable=False),
    sa.Column('inputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('message_metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('message_tokens', sa.Integer(), nullable=False),
    sa.Column('answer_tokens', sa.Integer(), nullable=False),
    sa.Column('provider_response_latency', sa.Float(), nullable=False),
    sa.Column('workflow_run_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('from_source', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_messages_app_id_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_messages_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_end_user_id'], ['end_users.id'], name=op.f('fk_messages_from_end_user_id_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_conversation_created', ['conversation_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_task_id'), ['task_id'], unique=False)
        batch_op.create_index('ix_messages_user', ['app_id', 'from_end_user_id', 'created_at'], unique=False)

    op.create_table('pinned_conversations',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('conversation_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_by', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_pinned_conversations_app_id_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_pinned_conversations_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['end_users.id'], name=op.f('fk_pinned_conversations_created_by_end_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pinned_conversations')),
    sa.UniqueConstraint('conversation_id', 'created_by', name=op.f('uq_pinned_conversations_conversation_id_created_by'))
    )
    op.create_table('workflow_node_executions',
    sa.Column('workflow_run_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('node_id', sa.String(length=255), nullable=False),
    sa.Column('node_type', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('predecessor_node_id', sa.String(length=255), nullable=True),
    sa.Column('iteration_id', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('inputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('process_data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('outputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('elapsed_time', sa.Float(), nullable=False),
    sa.Column('execution_metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workflow_run_id'], ['workflow_runs.id'], name=op.f('fk_workflow_node_executions_workflow_run_id_workflow_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_node_executions'))
    )
    with op.batch_alter_table('workflow_node_executions', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_node_executions_run', ['workflow_run_id', 'index'], unique=False)

    op.create_table('message_feedbacks',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('conversation_id', sa.Uuid(as_uuid=False), nullable=True),
    sa.Column('message_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('rating', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('from_source', sa.String(length=16), nullable=False),
    sa.Column('from_end_user_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_message_feedbacks_app_id_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_end_user_id'], ['end_users.id'], name=op.f('fk_message_feedbacks_from_end_user_id_end_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_feedbacks_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_feedbacks')),
    sa.UniqueConstraint('message_id', 'from_end_user_id', name=op.f('uq_message_feedbacks_message_id_from_end_user_id'))
    )
    op.create_table('saved_messages',
    sa.Column('app_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('message_id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_by', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('id', sa.Uuid(as_uuid=False), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], name=op.f('fk_saved_messages_app_id_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['end_users.id'], name=op.f('fk_saved_messages_created_by_end_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_saved_messages_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_messages')),
    sa.UniqueConstraint('message_id', 'created_by', name=op.f('uq_saved_messages_message_id_created_by'))
    )
    with op.batch_alter_table('saved_messages', schema=None) as batch_op:
        batch_op.create_index('ix_saved_messages_user', ['app_id', 'created_by', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('saved_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_messages_user')

    op.drop_table('saved_messages')
    op.drop_table('message_feedbacks')
    with op.batch_alter_table('workflow_node_executions', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_node_executions_run')

    op.drop_table('workflow_node_executions')
    op.drop_table('pinned_conversations')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_user')
        batch_op.drop_index(batch_op.f('ix_messages_task_id'))
        batch_op.drop_index('ix_messages_conversation_created')

    op.drop_table('messages')
    with op.batch_alter_table('workflow_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_runs_user')
        batch_op.drop_index(batch_op.f('ix_workflow_runs_task_id'))

    op.drop_table('workflow_runs')
    op.drop_table('upload_files')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_expiry'))
        batch_op.drop_index(batch_op.f('ix_sessions_end_user_id'))

    op.drop_table('sessions')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_user_updated')
        batch_op.drop_index('ix_conversations_user_created')

    op.drop_table('conversations')
    op.drop_table('sites')
    with op.batch_alter_table('end_users', schema=None) as batch_op:
        batch_op.drop_index('ix_end_users_app_session')

    op.drop_table('end_users')
    op.drop_table('apps')
