"""documents and registers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 11:01:35.157886
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('register_books',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('direction', sa.Enum('incoming', 'outgoing', name='direction', native_enum=False, length=16), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('copies', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_register_books_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_books')),
    sa.UniqueConstraint('agency_id', 'code', name=op.f('uq_register_books_agency_id'))
    )
    with op.batch_alter_table('register_books', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_books_agency_id'), ['agency_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('incoming', 'outgoing', name='direction', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('draft', 'registered', 'issued', 'finished', 'recalled', name='documentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('doc_type', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('urgency', sa.Enum('thuong', 'khan', 'thuong_khan', 'hoa_toc', name='urgency', native_enum=False, length=16), nullable=False),
    sa.Column('secrecy', sa.Enum('thuong', 'mat', 'toi_mat', 'tuyet_mat', name='secrecy', native_enum=False, length=16), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('number_symbol', sa.String(length=64), nullable=True),
    sa.Column('document_date', sa.Date(), nullable=True),
    sa.Column('issuer_organ_id', sa.String(length=13), nullable=True),
    sa.Column('issuer_name', sa.String(length=200), nullable=True),
    sa.Column('arrival_date', sa.Date(), nullable=True),
    sa.Column('signer_authority', sa.String(length=8), nullable=True),
    sa.Column('signer_position', sa.String(length=100), nullable=True),
    sa.Column('signer_name', sa.String(length=50), nullable=True),
    sa.Column('signature_mode', sa.Enum('electronic', 'paper', name='delivery', native_enum=False, length=16), nullable=False),
    sa.Column('drafting_unit_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('page_amount', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('copy_kind', sa.String(length=4), nullable=True),
    sa.Column('backfilled', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_documents_agency_id_agencies')),
    sa.ForeignKeyConstraint(['book_id'], ['register_books.id'], name=op.f('fk_documents_book_id_register_books')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_documents_created_by_users')),
    sa.ForeignKeyConstraint(['drafting_unit_id'], ['units.id'], name=op.f('fk_documents_drafting_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('book_id', 'year', 'number', name=op.f('uq_documents_book_id'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_agency_direction_year', ['agency_id', 'direction', 'year', 'number'], unique=False)
        batch_op.create_index('ix_documents_number_symbol', ['number_symbol'], unique=False)

    op.create_table('register_counters',
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['book_id'], ['register_books.id'], name=op.f('fk_register_counters_book_id_register_books')),
    sa.PrimaryKeyConstraint('book_id', 'year', name=op.f('pk_register_counters'))
    )
    op.create_table('document_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_files_document_id_documents')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_document_files_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_files'))
    )
    with op.batch_alter_table('document_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_files_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_files_sha256'), ['sha256'], unique=False)

    op.create_table('document_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('reply_to', 'copy_of', 'replaces', name='linkkind', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['documents.id'], name=op.f('fk_document_links_source_id_documents')),
    sa.ForeignKeyConstraint(['target_id'], ['documents.id'], name=op.f('fk_document_links_target_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_links')),
    sa.UniqueConstraint('source_id', 'target_id', 'kind', name=op.f('uq_document_links_source_id'))
    )
    with op.batch_alter_table('document_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_links_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_links_target_id'), ['target_id'], unique=False)

    op.create_table('recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('organ_id', sa.String(length=13), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('delivery', sa.Enum('electronic', 'paper', name='delivery', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_recipients_document_id_documents')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_recipients_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipients'))
    )
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipients_document_id'), ['document_id'], unique=False)

    # Every existing agency gets the default books; the old outgoing counters carry over.
    conn = op.get_bind()
    books = [("outgoing", "Sổ văn bản đi", "outgoing", False, False),
             ("incoming", "Sổ văn bản đến", "incoming", False, False),
             ("outgoing_secret", "Sổ văn bản đi mật", "outgoing", True, False),
             ("incoming_secret", "Sổ văn bản đến mật", "incoming", True, False),
             ("copies", "Sổ bản sao văn bản", "outgoing", False, True)]
    for (agency_id,) in conn.execute(sa.text("SELECT id FROM agencies")).all():
        for code, name, direction, secret, copies in books:
            conn.execute(sa.text(
                "INSERT INTO register_books (agency_id, code, name, direction, secret, copies) "
                "VALUES (:a, :c, :n, :d, :s, :k)"), {"a": agency_id, "c": code, "n": name, "d": direction,
                                                     "s": secret, "k": copies})
    conn.execute(sa.text(
        "INSERT INTO register_counters (book_id, year, last_number) "
        "SELECT b.id, r.year, r.last_number FROM registers r "
        "JOIN register_books b ON b.agency_id = r.agency_id AND b.code = r.kind"))
    op.drop_table('registers')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_document_id'), ['document_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_document_id_documents'), 'documents', ['document_id'], ['id'])

    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_kind', sa.String(length=16), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.drop_column('document_kind')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_document_id_documents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_document_id'))
        batch_op.drop_column('document_id')

    op.create_table('registers',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('agency_id', sa.INTEGER(), nullable=False),
    sa.Column('kind', sa.VARCHAR(length=32), nullable=False),
    sa.Column('year', sa.INTEGER(), nullable=False),
    sa.Column('last_number', sa.INTEGER(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_registers_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registers')),
    sa.UniqueConstraint('agency_id', 'kind', 'year', name=op.f('uq_registers_agency_id'))
    )
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipients_document_id'))

    op.drop_table('recipients')
    with op.batch_alter_table('document_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_links_target_id'))
        batch_op.drop_index(batch_op.f('ix_document_links_source_id'))

    op.drop_table('document_links')
    with op.batch_alter_table('document_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_files_sha256'))
        batch_op.drop_index(batch_op.f('ix_document_files_document_id'))

    op.drop_table('document_files')
    op.drop_table('register_counters')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_number_symbol')
        batch_op.drop_index('ix_documents_agency_direction_year')

    op.drop_table('documents')
    with op.batch_alter_table('register_books', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_books_agency_id'))

    op.drop_table('register_books')

