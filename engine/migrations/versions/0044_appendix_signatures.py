"""the verification kept with each appendix the agency signed

Revision ID: 0044
Revises: 0034
Create Date: 2026-12-07 19:00:00

A document's main file keeps its last verification on the document (documents.signatures_json);
an appendix (phụ lục) the agency signs at issuance keeps its own here, so the document's page
shows the seven-field report of every signed file (Circular 15/2025/TT-BKHCN Art. 6).
"""

from alembic import op
import sqlalchemy as sa


revision = '0044'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document_files') as batch:
        batch.add_column(sa.Column('signatures_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('document_files') as batch:
        batch.drop_column('signatures_json')
