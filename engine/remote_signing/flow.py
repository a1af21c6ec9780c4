"""Ký bằng chữ ký số từ xa: the leader's "sign" decision, approved on their phone.

1. :func:`start`: the task, its document and the service are read in a short transaction; outside
   it the service gives the leader's certificate and the PDF and the bytes to sign are prepared
   (as for a USB token, signing.pades.split); a second short transaction checks the case has not moved
   and the certificate is registered to the leader (engine.signatures.binding), stores the request as a
   state row with the decision's form, and audits it; then the hash goes to the service.
2. The leader approves on the phone. Nobody holds a request open meanwhile: the task page asks
   :func:`check` every few seconds and ``qlvb worker`` sweeps the waiting rows (:func:`sweep`);
   either asks the service, outside any transaction.
3. When the signature arrives it is embedded and verified outside a transaction, then one short
   transaction completes the task with it (engine.workflow.cases, as any other signature: the decision's
   audit entry carries it) once the row is still waiting, the task still open and the main file
   the one that was prepared. A refusal on the phone, the timeout (:func:`check`) or the leader's
   cancel (:func:`cancel`) ends the row, audited, and the task stays open.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.db import Database
from engine.core.errors import Conflict, DomainError, Forbidden, InvalidData, NotFound
from engine.documents.storage import FileStore
from engine.models import Agency, HumanTask, RemoteProvider, RemoteRequest, RemoteState, User
from engine.office import queries
from engine.signatures import binding, certificates, drafting, jobs, signatures
from engine.signatures import long_term as long_signer
from engine.workflow import cases, forms
from signing.errors import SigningError
from signing.keystore.keys import ExternalKey
from signing.pades import split, verify
from signing.pdf import draft
from signing.remote import Outcome, Provider, ProviderConfig, State, approval, make_provider
from signing.remote.base import Kind

from . import providers, submission

_FIELD = "signing"
_ENDED = {State.REJECTED: (RemoteState.REJECTED, "Người ký đã từ chối trên điện thoại: văn bản chưa được ký."),
          State.EXPIRED: (RemoteState.EXPIRED, "Hết thời gian chờ xác nhận trên điện thoại: văn bản chưa được ký."),
          State.FAILED: (RemoteState.FAILED, "Dịch vụ ký số từ xa không ký được: văn bản chưa được ký.")}
TIMED_OUT = _ENDED[State.EXPIRED][1]


@dataclass(frozen=True)
class Remote:
    """What the flow needs: the database (it opens its own short transactions), the stored files,
    the server's keys and trust roots, and how to reach a configured service."""

    db: Database
    store: FileStore
    keys: signatures.Keys
    connect: Callable[[ProviderConfig], Provider] = make_provider


@dataclass(frozen=True)
class _Plan:
    case_id: int
    source: str
    draft: drafting.LeaderDraft
    config: ProviderConfig
    label: str
    policy: long_signer.Policy  # the agency's trust roots and signing settings (status check, TSA)
    approval: tuple[dict[str, str], str] | None  # ký nháy: the step's properties and the unit approving


def _account(value: Any) -> str:
    account = str(value or "").strip()
    if not account or len(account) > 100:
        message = "Nhập tài khoản ký số từ xa (số CCCD, mã số thuế hoặc tên đăng nhập tại dịch vụ)."
        raise InvalidData(message, {"remote_account": message})
    return account


def _plan(session: Session, remote: Remote, user: User, task_id: str, form: dict[str, Any], provider_id: Any,
          now: datetime) -> _Plan:
    row, doc, props = cases.signing_task(session, user, task_id, now)  # the permission first
    approval = signatures.APPROVAL_PROPERTY in props  # a ký nháy, signed by an approving leader
    if form.get("decision") != ("approve" if approval else "sign"):
        message = ("Ký số từ xa chỉ dùng khi chọn Đồng ý (ký nháy)." if approval
                   else "Ký số từ xa chỉ dùng khi chọn Ký số.")
        raise InvalidData(message, {"decision": message})
    schema = queries.task_detail(session, user, task_id, now)["form"]
    if schema:  # refused now rather than once the leader has approved on the phone
        forms.validate(schema, form)
    if props.get("signatureMode") == "paper":
        raise InvalidData("Bước này ký trên giấy, không ký số.", {_FIELD: "Không dùng ký số từ xa."})
    source = binding.version_to_sign(session, doc, drafting.main_file(doc), task_id)
    agency = session.get(Agency, doc.agency_id)
    assert agency is not None
    provider = providers.get(session, doc.agency_id, provider_id)
    if not provider.enabled:
        raise InvalidData("Dịch vụ ký số từ xa này đang tạm ngừng.", {"provider": "Đang tạm ngừng."})
    if _waiting(session, task_id) is not None:
        raise Conflict("Đang chờ xác nhận một yêu cầu ký trước trên điện thoại: hãy chờ hoặc hủy yêu cầu đó.")
    made = drafting.leader_draft(session, remote.store, None if approval else remote.keys.image(user.username), doc,
                                 user, props)
    return _Plan(row.case_id, source, made, providers.config(remote.keys, agency, provider),
                 jobs.prompt_label(doc), long_signer.policy(session, remote.keys, doc.agency_id),
                 (props, cases.approval_unit(session, row, props)) if approval else None)


def _waiting(session: Session, task_id: str) -> RemoteRequest | None:
    return session.scalars(select(RemoteRequest).where(RemoteRequest.task_id == task_id,
                                                       RemoteRequest.state == RemoteState.WAITING)).first()


def start(remote: Remote, user_id: int, task_id: str, form: dict[str, Any], provider_id: Any, account: Any,
          activation: str | None, now: datetime) -> dict[str, Any]:
    """Send the leader's signature to their phone; ``form`` is the decision's form (decision
    ``sign``), kept to complete the task once signed; ``activation`` a PIN or OTP, used once."""
    with remote.db.read() as session:
        plan = _plan(session, remote, _user(session, user_id), task_id, form, provider_id, now)
    account = _account(account)
    provider = remote.connect(plan.config)
    try:
        credential = provider.credential(account)
        cert = x509.load_der_x509_certificate(credential.certificate)
        key = ExternalKey(credential.certificate, credential.chain)
        # revoked or unknown to its CA: refused before anything reaches the phone
        stamper = plan.policy.precheck(credential.certificate, credential.chain, now)
        ttl = timedelta(seconds=plan.config.timeout_seconds)
        pdf, name = plan.draft.prepare(), certificates.subject_name(cert)
        step = jobs.approval_step(pdf, name, *plan.approval, now) if plan.approval else plan.draft.step(name, now)
        pending = split.begin(pdf, step, key, plan.label, ttl=ttl, now=now, timestamper=stamper)
    except (SigningError, ValueError) as err:
        message = err.message if isinstance(err, SigningError) else "Chứng thư số từ dịch vụ không hợp lệ."
        raise InvalidData(message, {_FIELD: message}) from None
    request_id = pending.request.id
    with remote.db.write() as session:
        user = _user(session, user_id)
        row, doc, _ = cases.signing_task(session, user, task_id, now)
        if binding.version_to_sign(session, doc, drafting.main_file(doc), task_id) != plan.source:
            raise InvalidData("Tệp chính đã thay đổi trong khi chuẩn bị ký.", {_FIELD: "Hãy ký lại."})
        if _waiting(session, task_id) is not None:
            raise Conflict("Đang chờ xác nhận một yêu cầu ký trước trên điện thoại.")
        registered = binding.signer(session, user, cert)  # only the leader's own certificate
        session.add(RemoteRequest(id=request_id, task_id=task_id, user_id=user.id, provider_id=int(provider_id),
                                  account=account, state=RemoteState.WAITING, source_sha256=plan.source,
                                  payload=json.dumps({**pending.to_json(), "field": step.field}),
                                  form_json=json.dumps(form), created_at=now, expires_at=pending.request.expires_at))
        audit.append(session, at=now, action="remote_signing_requested", actor_id=user.id, case_id=row.case_id,
                     task_id=task_id, payload={"request": request_id, "provider": int(provider_id),
                                               "account": account, "certificate": registered.id,
                                               "digest": pending.document_digest.hex()})
    mechanism = key.signer().get_signature_mechanism_for_digest(split.DIGEST)

    def send() -> None:
        submitted = submission.submit(provider, account, credential, pending.request.data, mechanism, plan.label,
                                      activation)
        _settle(remote, request_id, submitted.reference, submitted.outcome, now)

    # A CSC service answers in the call, which may wait for the signer's phone (implicit
    # authorization): sent in the background, and the page asks where it stands as for the others.
    submission.dispatch(send, background=provider.answers_in_call)
    return status(remote, user_id, task_id, request_id)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.")
    return user


def _settle(remote: Remote, request_id: str, reference: str, outcome: Outcome, now: datetime) -> None:
    """Record what the service said: still waiting (its reference), ended, or signed (then the
    signature is embedded and verified here, and the task completed in one short transaction)."""
    if outcome.state == State.WAITING:
        with remote.db.write() as session:
            row = _locked(session, request_id)
            if row is not None and row.reference is None:
                row.reference = reference
        return
    if outcome.state != State.SIGNED or outcome.signature is None:
        state, message = _ENDED[outcome.state if outcome.state in _ENDED else State.FAILED]
        _end(remote, request_id, state, outcome.message or message, now)
        return
    with remote.db.read() as session:
        row = session.get(RemoteRequest, request_id)
        if row is None or row.state != RemoteState.WAITING:
            return
        presigned_from = (row.task_id, row.user_id, row.source_sha256, json.loads(row.payload))
        provider = session.get(RemoteProvider, row.provider_id)  # the document's agency's service
        assert provider is not None
        policy = long_signer.policy(session, remote.keys, provider.agency_id)
    task_id, user_id, source, payload = presigned_from
    try:  # checked again now it is signed, time-stamped, B-LT, as a USB token's signature is
        pending = split.PendingSignature.from_json(payload)
        field = str(payload.get("field") or draft.LEADER_FIELD)  # the leader's, or a ký nháy's KyNhayN
        checked = policy.finish_split(pending, request_id, outcome.signature, now)
        reports = verify.verify_pdf(checked.pdf, policy.keys.trust_roots(), now)
    except SigningError as err:
        _end(remote, request_id, RemoteState.FAILED, err.message, now)
        return
    presigned = binding.Presigned(task_id, user_id, source, pending.certificate, checked.pdf, tuple(reports), checked,
                                  field=field)
    _complete(remote, request_id, presigned, now)


def _complete(remote: Remote, request_id: str, presigned: binding.Presigned, now: datetime) -> None:
    refused = None
    with remote.db.write() as session:
        row = _locked(session, request_id)
        if row is None or row.state != RemoteState.WAITING:
            return  # cancelled, or completed by the other poller, meanwhile
        desk = signatures.Desk(remote.store, remote.keys, signatures.Credentials(presigned=presigned))
        try:
            with session.begin_nested():  # the case moved: nothing of the completion stays
                cases.complete_task(session, _user(session, row.user_id), row.task_id, json.loads(row.form_json),
                                    now, desk)
        except DomainError as err:
            refused = err.message
        else:
            row.state, row.finished_at = RemoteState.COMPLETED, now
    if refused is not None:
        _end(remote, request_id, RemoteState.FAILED, f"Không hoàn thành được công việc: {refused}", now)


def _locked(session: Session, request_id: str) -> RemoteRequest | None:
    return session.scalars(select(RemoteRequest).where(RemoteRequest.id == request_id).with_for_update()).first()


def _end(remote: Remote, request_id: str, state: RemoteState, message: str, now: datetime,
         actor_id: int | None = None) -> bool:
    """A waiting row ends (rejected, expired, cancelled, failed), audited; False if it had ended."""
    with remote.db.write() as session:
        row = _locked(session, request_id)
        if row is None or row.state != RemoteState.WAITING:
            return False
        row.state, row.message, row.finished_at = state, message[:500], now
        task = session.get(HumanTask, row.task_id)
        audit.append(session, at=now, action="remote_signing_ended", actor_id=actor_id,
                     case_id=task.case_id if task else None, task_id=row.task_id,
                     payload={"request": request_id, "state": state.value, "message": row.message})
    return True


def _provider_of(session: Session, remote: Remote, row: RemoteRequest) -> Provider:
    provider = session.get(RemoteProvider, row.provider_id)
    agency = session.get(Agency, provider.agency_id) if provider else None
    assert provider is not None and agency is not None
    return remote.connect(providers.config(remote.keys, agency, provider))


def advance(remote: Remote, request_id: str, now: datetime) -> None:
    """Ask the service about a waiting request, or end it once its time is up."""
    with remote.db.read() as session:
        row = session.get(RemoteRequest, request_id)
        if row is None or row.state != RemoteState.WAITING:
            return
        reference, expired = row.reference, now >= row.expires_at
        provider = _provider_of(session, remote, row)
    if expired:
        if _end(remote, request_id, RemoteState.EXPIRED, TIMED_OUT, now) and reference:
            _withdraw(provider, reference)
        return
    if not reference:
        return  # the submission is still under way
    try:
        outcome = provider.poll(reference)
    except SigningError:
        return  # the service is unreachable for now: asked again until the time is up
    _settle(remote, request_id, reference, outcome, now)


def _withdraw(provider: Provider, reference: str) -> None:
    try:
        provider.cancel(reference)
    except SigningError:
        pass  # the request ends here whatever the service says; its own timeout ends it there


def _mine(session: Session, user_id: int, task_id: str, request_id: str) -> RemoteRequest:
    row = session.get(RemoteRequest, request_id)
    if row is None or row.user_id != user_id or row.task_id != task_id:
        raise NotFound("Không tìm thấy yêu cầu ký số từ xa.")
    return row


def check(remote: Remote, user_id: int, task_id: str, request_id: str, now: datetime) -> dict[str, Any]:
    """The task page's question every few seconds: the service is asked, then the row shown."""
    with remote.db.read() as session:
        _mine(session, user_id, task_id, request_id)
    advance(remote, request_id, now)
    return status(remote, user_id, task_id, request_id)


def status(remote: Remote, user_id: int, task_id: str, request_id: str) -> dict[str, Any]:
    with remote.db.read() as session:
        row = _mine(session, user_id, task_id, request_id)
        task = session.get(HumanTask, task_id)
        return {"id": row.id, "state": row.state.value, "message": row.message,
                "created_at": row.created_at.isoformat(), "expires_at": row.expires_at.isoformat(),
                "case_id": task.case_id if task else None}


def cancel(remote: Remote, user_id: int, task_id: str, request_id: str, now: datetime) -> dict[str, Any]:
    """Hủy: the leader withdraws the request; the service is told, best effort."""
    with remote.db.read() as session:
        row = _mine(session, user_id, task_id, request_id)
        reference = row.reference
        provider = _provider_of(session, remote, row)
    if not _end(remote, request_id, RemoteState.CANCELLED, "Đã hủy yêu cầu ký số từ xa.", now, actor_id=user_id):
        raise Conflict("Yêu cầu ký số từ xa này đã kết thúc.")
    if reference:
        _withdraw(provider, reference)
    return status(remote, user_id, task_id, request_id)


def receive(remote: Remote, provider_id: int, body: bytes, mac: str, now: datetime) -> None:
    """A service's callback: its outcome for a waiting request, once the body proves to be the
    service's (HMAC under the agency's secret); the same as if the page or the worker had asked."""
    with remote.db.read() as session:
        provider = session.get(RemoteProvider, provider_id)
        agency = session.get(Agency, provider.agency_id) if provider is not None else None
        if provider is None or agency is None or provider.kind != Kind.APPROVAL:
            raise NotFound("Không tìm thấy dịch vụ ký số từ xa.")
        secret = providers.secret_of(remote.keys, agency, provider)
    if secret is None or not hmac.compare_digest(approval.callback_mac(secret, body), mac):
        raise Forbidden("Thông báo không phải của dịch vụ ký số từ xa (sai chữ ký X-Signature).")
    try:
        data = json.loads(body)
        reference = str(data["transaction_id"])
        said = approval.outcome(data)
    except (ValueError, KeyError, TypeError, SigningError):
        raise InvalidData("Thông báo của dịch vụ ký số từ xa không hợp lệ.", {"body": "Sai định dạng."}) from None
    with remote.db.read() as session:
        request_id = session.scalars(select(RemoteRequest.id).where(
            RemoteRequest.provider_id == provider_id, RemoteRequest.reference == reference,
            RemoteRequest.state == RemoteState.WAITING)).first()
    if request_id is not None:  # else ended already, or not recorded yet: the page's next question finds it
        _settle(remote, request_id, reference, said, now)


def sweep(remote: Remote, now: datetime) -> int:
    """``qlvb worker``: every waiting request is asked about once; returns how many were."""
    with remote.db.read() as session:
        waiting = list(session.scalars(select(RemoteRequest.id).where(RemoteRequest.state == RemoteState.WAITING)))
    for request_id in waiting:
        advance(remote, request_id, now)
    return len(waiting)


def latest_account(session: Session, user_id: int) -> str | None:
    """The account the leader signed with last time, to fill the field in again."""
    return session.scalars(select(RemoteRequest.account).where(RemoteRequest.user_id == user_id)
                           .order_by(RemoteRequest.created_at.desc()).limit(1)).first()


def choices(session: Session, user: User, task_id: str, now: datetime) -> dict[str, Any]:
    """What a task's sign step offers to the person who may decide it: the services of its
    document's agency, and the account they used last."""
    cases.signing_task(session, user, task_id, now)
    return {"providers": providers.for_task(session, task_id), "account": latest_account(session, user.id)}
