"""Keyset indexes for the conversation and message lists: the sort column, then id (the tie-breaker).

`GET /api/conversations` filters on (app_id, from_end_user_id, is_deleted) and orders by
(updated_at | created_at, id); `GET /api/messages` and the chat history filter on conversation_id
and order by id. With id in the index, a page (and the row-value cursor after it) is one index range.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

USER_COLUMNS = ["app_id", "from_end_user_id", "is_deleted"]


def upgrade():
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_user_updated")
        batch_op.drop_index("ix_conversations_user_created")
        batch_op.create_index("ix_conversations_user_updated", [*USER_COLUMNS, "updated_at", "id"])
        batch_op.create_index("ix_conversations_user_created", [*USER_COLUMNS, "created_at", "id"])
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_conversation_created")
        batch_op.create_index("ix_messages_conversation_id", ["conversation_id", "id"])


def downgrade():
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_conversation_id")
        batch_op.create_index("ix_messages_conversation_created", ["conversation_id", "created_at"])
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_user_created")
        batch_op.drop_index("ix_conversations_user_updated")
        batch_op.create_index("ix_conversations_user_updated", [*USER_COLUMNS, "updated_at"])
        batch_op.create_index("ix_conversations_user_created", [*USER_COLUMNS, "created_at"])
