"""The JSON API (``/api/v1``): tokens and my password, processes, cases and tasks, and the
OpenAPI document itself. Each view gets its request checked against its shapes
(``webui.contract``), opens one transaction, calls one service and returns its result; the
services own every rule."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import Blueprint, current_app, jsonify
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.models import User
from engine.office import conversations, queries
from engine.org import accounts
from engine.signatures import signatures
from engine.workflow import cases
from webui.api.util import authed, bearer, current_user
from webui.common.context import complete_signing, request_signing
from webui.common.login import log_in
from webui.contract.document import document
from webui.contract.route import api_route
from webui.contract.shapes import Body, Id, Items, Name, Page, Paged, Query

bp = Blueprint("api", __name__, url_prefix="/api")

Password = Annotated[str, Field(max_length=1024)]
Certificate = Annotated[str, Field(max_length=65_536, description="base64 DER of the token's certificate")]
TaskId = Annotated[str, Field(max_length=64, json_schema_extra={"format": "uuid"})]


class TokenRequest(Body):
    summary: ClassVar[Any] = _l("Thiếu tên đăng nhập hoặc mật khẩu.")
    username: Name
    password: Password


class TokenAnswer(BaseModel):
    token: str
    username: str
    must_change_password: bool


class PasswordChange(Body):
    summary: ClassVar[Any] = _l("Thiếu mật khẩu hiện tại hoặc mật khẩu mới.")
    current_password: Password
    new_password: Password


class StartCase(Body):
    process: Name
    data: dict[str, Any] = Field(default_factory=dict, description="checked against the process's start form")
    unit_id: Id | None = None


class Signing(Body):
    """Never stored nor logged."""

    password: Password | None = None
    agency_password: Password | None = None
    request_id: Annotated[str, Field(max_length=200)] | None = None
    signature: Annotated[str, Field(max_length=65_536)] | None = None


class CompletionQuery(Query):
    view: Literal["lean", "full"] = Field("lean", description="full: the whole case view, as GET /v1/cases/{id}")


class CompleteTask(Body):
    data: dict[str, Any] = Field(default_factory=dict, description="the task form's data")
    signing: Signing | None = None


class SigningRequest(Body):
    certificate: Certificate


class FollowedCases(Paged):
    view: Literal["following"] = "following"


class TaskPath(BaseModel):
    task_id: TaskId


class Person(BaseModel):
    username: str
    full_name: str


class Task(BaseModel):
    id: str
    case_id: int
    task: str
    title: str
    lane: str
    kind: Literal["comment"] | None = Field(None, description="the task's taskKind: comment = góp ý")
    status: str
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    due_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    assignees: list[Person]
    form: dict[str, Any] | None = Field(None, description="JSON Schema of the task's form")


class Case(BaseModel):
    id: int
    process: str
    version: int
    title: str
    status: Literal["running", "completed"]
    initiator: str
    data: dict[str, Any]
    open_tasks: list[Task]


class DocumentBrief(BaseModel):
    id: int
    status: str
    number: int | None
    number_symbol: str | None


class Completion(BaseModel):
    """Where the case stands after a completion: its open tasks and their holders, the document's
    state and number (``?view=full``: the whole case)."""

    id: int
    status: Literal["running", "completed"]
    open_tasks: list[Task]
    document: DocumentBrief | None


class Process(BaseModel):
    id: str
    name: str
    version: int
    agency: str | None
    can_start: bool
    starts_on_message: bool
    start_form: dict[str, Any] | None = Field(None, description="JSON Schema của trường data")


@api_route(bp, "/openapi.json", "GET", "Tài liệu OpenAPI này", public=True, errors=())
def openapi() -> Any:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document(current_app))


@api_route(bp, "/v1/auth/token", "POST", "Đăng nhập, nhận mã truy cập", public=True, body=TokenRequest,
           response=TokenAnswer, errors=(401, 429))
def token(body: TokenRequest) -> Any:
    """Exchange a username and password for a Bearer token."""
    user, value = log_in(body.username, body.password, "api")
    return jsonify({"token": value, "username": user.username, "must_change_password": user.must_change_password})


@api_route(bp, "/v1/auth/token", "DELETE", "Thu hồi mã truy cập đang dùng (đăng xuất)", errors=(401, 403))
def revoke_token() -> Any:
    """Revoke the token of this request (log out an API client)."""
    def action(session: Session, user: User, now: datetime) -> Any:
        accounts.revoke_token(session, bearer())
        return {"revoked": True}

    return authed(True, action)


@api_route(bp, "/v1/auth/tokens", "GET", "Các phiên đăng nhập và mã truy cập của tôi", response=Items,
           errors=(401, 403))
def list_tokens() -> Any:
    """My live page sessions and API tokens (never the tokens themselves)."""
    return authed(False, lambda s, u, now: {"items": accounts.tokens_of(s, u, bearer())})


@api_route(bp, "/v1/auth/tokens/<int:token_id>", "DELETE", "Thu hồi một phiên hoặc mã truy cập của tôi",
           errors=(401, 403, 404))
def revoke_token_id(token_id: int) -> Any:
    """Revoke one of my sessions or tokens by its id in the list."""
    def action(session: Session, user: User, now: datetime) -> Any:
        accounts.revoke_token_id(session, user, token_id, now)
        return {"revoked": True}

    return authed(True, action)


@api_route(bp, "/v1/auth/password", "PUT", "Đổi mật khẩu của tôi", body=PasswordChange, errors=(401,))
def change_password(body: PasswordChange) -> Any:
    """Change my own password; my other tokens stop working."""
    def action(session: Session, user: User, now: datetime) -> Any:
        accounts.change_own_password(session, user, body.current_password, body.new_password, bearer(), now)
        return {"changed": True}

    return authed(True, action)


@api_route(bp, "/v1/processes", "GET", "Các quy trình đã triển khai", response=Items)
def processes() -> Any:
    """The deployed processes, newest version of each."""
    return authed(False, lambda s, u, now: {"items": queries.processes(s)})


@api_route(bp, "/v1/processes/<process_id>", "GET", "Một quy trình và biểu mẫu khởi tạo của nó",
           response=Process, errors=(401, 404))
def process(process_id: str) -> Any:
    """One process, with the start form a new case's ``data`` must satisfy."""
    return authed(False, lambda s, u, now: cases.process_detail(s, u, process_id))


@api_route(bp, "/v1/cases", "POST", "Khởi tạo hồ sơ theo quy trình", body=StartCase, response=Case, status=201,
           errors=(401, 403, 404))
def start_case(body: StartCase) -> Any:
    """Start a case of a process; returns the case with its open tasks."""
    def action(session: Session, user: User, now: datetime) -> Any:
        case = cases.start_case(session, user, body.process, body.data, now, body.unit_id)
        return queries.case_view(session, case)

    return authed(True, action, 201)


@api_route(bp, "/v1/cases", "GET", "Hồ sơ đang theo dõi (đồng gửi)", query=FollowedCases, response=Page)
def list_cases(query: FollowedCases) -> Any:
    """Cases I follow (đồng gửi)."""
    return authed(False, lambda s, u, now: queries.following(s, u, query.page, query.per_page))


@api_route(bp, "/v1/cases/<int:case_id>", "GET", "Chi tiết hồ sơ", response=Case, errors=(401, 403, 404))
def get_case(case_id: int) -> Any:
    """One case, with its open tasks and current data."""
    return authed(False, lambda s, u, now: queries.case_detail(s, u, case_id, now))


@api_route(bp, "/v1/cases/<int:case_id>/history", "GET", "Lịch sử xử lý (nhật ký kiểm toán)", response=Items,
           errors=(401, 403, 404))
def case_history(case_id: int) -> Any:
    """The case's audit entries in order."""
    return authed(False, lambda s, u, now: {"items": queries.case_history(s, u, case_id, now)})


@api_route(bp, "/v1/cases/<int:case_id>/messages", "GET", "Tin nhắn về hồ sơ trong các cuộc trò chuyện của tôi",
           response=Items, errors=(401, 403, 404))
def case_messages(case_id: int) -> Any:
    """The messages linking the case, from the conversations I belong to."""
    return authed(False, lambda s, u, now: {"items": conversations.about_case(s, u, case_id, now)})


@api_route(bp, "/v1/tasks", "GET", "Công việc cần xử lý của tôi", query=Paged, response=Page)
def my_tasks(query: Paged) -> Any:
    """My open tasks, newest first, including those delegated to me."""
    return authed(False, lambda s, u, now: queries.my_tasks(s, u, now, query.page, query.per_page))


@api_route(bp, "/v1/tasks/<task_id>", "GET", "Chi tiết công việc và biểu mẫu", path=TaskPath, response=Task,
           errors=(401, 403, 404))
def get_task(task_id: str) -> Any:
    """One of my tasks, with its form's JSON Schema."""
    return authed(False, lambda s, u, now: queries.task_detail(s, u, task_id, now))


@api_route(bp, "/v1/tasks/<task_id>/complete", "POST", "Hoàn thành công việc", path=TaskPath, body=CompleteTask,
           query=CompletionQuery, response=Completion | Case, errors=(401, 403, 404, 409))
def complete_task(task_id: str, body: CompleteTask, query: CompletionQuery) -> Any:
    """Complete a task with its form data (and, to sign or issue, ``signing``: the password of
    the signer's key, the agency key's password, or a split-signing request id and the
    token's signature); returns where the case now stands: its open tasks and their holders and
    the document's state and number (``?view=full``: the whole case view)."""
    signing = body.signing.model_dump(exclude_none=True) if body.signing is not None else None
    credentials = signatures.Credentials.parse(signing)
    answer = queries.case_view if query.view == "full" else queries.completion_view
    return jsonify(complete_signing(credentials, task_id, body.data, current_user,
                                    lambda session, _user, case, _now: answer(session, case)))


@api_route(bp, "/v1/tasks/<task_id>/signing-request", "POST",
           "Ký số bằng thiết bị (USB token): tạo yêu cầu cho phần mềm ký trên máy người ký", path=TaskPath,
           body=SigningRequest, status=201, errors=(401, 403, 404, 409))
def signing_request(task_id: str, body: SigningRequest) -> Any:
    """Split signing: given the certificate of the signer's token (base64 DER, as the sign agent
    gives it), the request the agent signs; then complete the task with its id and signature."""
    return jsonify(request_signing(task_id, body.certificate, current_user)), 201
