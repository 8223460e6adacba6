"""The organisation register's HTTP API: /api/v1/organisation (units, employees, bulk import).

Access: the admin instansi writes and reads everything of their own instansi; a pegawai reads
their own record; an atasan reads their direct subordinates; anything else is 403 and changes
nothing. The instansi is the token's tenant: another instansi's data does not exist for you (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.planning.adapters import org_import
from services.planning.entrypoints import organisation_schemas as schemas
from services.planning.service_layer import org_import as importer
from services.planning.service_layer import organisation as handlers
from shared.auth import Principal, Role
from shared.errors import DomainError, Forbidden
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal
from shared.web.errors import language

MAX_IMPORT_BYTES = 50 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin() -> Principal:
    principal = current_principal()
    if not principal.has(Role.ADMIN):
        raise Forbidden("Hanya admin instansi yang dapat melakukan ini.", "Only the instansi admin may do this.")
    return principal


def _may_read_employee(principal: Principal, employee: dict[str, Any]) -> None:
    if principal.has(Role.ADMIN) or principal.nip == employee["nip"]:
        return
    if principal.has(Role.ATASAN) and principal.nip == employee["atasan_nip"]:
        return
    raise Forbidden(
        "Anda hanya dapat melihat data Anda sendiri atau bawahan langsung Anda.",
        "You may only read your own record or your direct subordinates'.",
    )


def _message(item: dict[str, Any]) -> dict[str, Any]:
    english = language() == "en"
    return {**item, "message": item["message_en"] if english else item["message_id"]}


def create_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "organisation",
        __name__,
        url_prefix="/api/v1/organisation",
        description="Organisation register: unit kerja (tree), employees (PNS/PPPK) with position and atasan; "
        "bulk import from CSV/.xlsx. Publishes unit.* and employee.* events.",
    )

    # -- units ------------------------------------------------------------------------------
    @bp.route("/units")
    class Units(MethodView):
        @bp.response(200, schemas.UnitOut(many=True))
        def get(self) -> list[dict[str, Any]]:
            """List the instansi's units (admin instansi)."""
            return handlers.list_units(uow(), _admin().tenant)

        @bp.arguments(schemas.UnitIn)
        @bp.response(201, schemas.UnitOut)
        def post(self, data: dict[str, Any]) -> dict[str, Any]:
            """Register a unit kerja under an existing parent (none for a root)."""
            admin = _admin()
            return handlers.register_unit(uow(), admin.tenant, admin.nip, data)

    @bp.route("/units/tree")
    @bp.response(200, schemas.UnitTreeOut(many=True))
    def unit_tree() -> list[dict[str, Any]]:
        """The units as a tree (roots with nested children)."""
        return handlers.unit_tree(uow(), _admin().tenant)

    @bp.route("/units/<unit_id>")
    class UnitItem(MethodView):
        @bp.response(200, schemas.UnitOut)
        def get(self, unit_id: str) -> dict[str, Any]:
            """One unit."""
            return handlers.get_unit(uow(), _admin().tenant, unit_id)

        @bp.arguments(schemas.UnitChange)
        @bp.response(200, schemas.UnitOut)
        def patch(self, data: dict[str, Any], unit_id: str) -> dict[str, Any]:
            """Rename, move in the tree (no cycles) or reclassify a unit; publishes unit.changed."""
            admin = _admin()
            return handlers.change_unit(uow(), admin.tenant, admin.nip, unit_id, data)

    # -- employees --------------------------------------------------------------------------
    @bp.route("/employees")
    class Employees(MethodView):
        @bp.arguments(schemas.EmployeeQuery, location="query")
        @bp.response(200, schemas.EmployeePage)
        def get(self, query: dict[str, Any]) -> dict[str, Any]:
            """List employees (admin: all, filtered; an atasan: atasan_nip = their own NIP)."""
            principal = current_principal()
            if not principal.has(Role.ADMIN) and not (
                principal.has(Role.ATASAN) and query.get("atasan_nip") == principal.nip
            ):
                raise Forbidden(
                    "Anda hanya dapat melihat daftar bawahan langsung Anda (atasan_nip = NIP Anda).",
                    "You may only list your direct subordinates (atasan_nip = your NIP).",
                )
            limit, offset = query.pop("limit"), query.pop("offset")
            items, total = handlers.list_employees(uow(), principal.tenant, limit=limit, offset=offset, **query)
            return {"items": items, "total": total, "limit": limit, "offset": offset}

        @bp.arguments(schemas.EmployeeIn)
        @bp.response(201, schemas.EmployeeOut)
        def post(self, data: dict[str, Any]) -> dict[str, Any]:
            """Register an employee in an existing unit; publishes employee.registered."""
            admin = _admin()
            return handlers.register_employee(uow(), admin.tenant, admin.nip, data)

    @bp.route("/employees/without-valid-atasan")
    @bp.response(200, schemas.AtasanProblemOut(many=True))
    def without_valid_atasan() -> list[dict[str, Any]]:
        """Active employees whose atasan is missing, not registered, inactive, themself, in a cycle or not
        above them on the ladder (pelaksana/fungsional → pengawas → administrator → JPT), with the reason.
        A JPT heading a root unit (the Sekda, appraised by the head of region) needs no atasan."""
        return [_message(item) for item in handlers.employees_without_valid_atasan(uow(), _admin().tenant)]

    @bp.route("/employees/<nip>")
    class EmployeeItem(MethodView):
        @bp.response(200, schemas.EmployeeOut)
        def get(self, nip: str) -> dict[str, Any]:
            """One employee: yourself, your direct subordinate, or anyone for the admin."""
            principal = current_principal()
            employee = handlers.get_employee(uow(), principal.tenant, nip)
            _may_read_employee(principal, employee)
            return employee

        @bp.arguments(schemas.EmployeeUpdate)
        @bp.response(200, schemas.EmployeeOut)
        def patch(self, data: dict[str, Any], nip: str) -> dict[str, Any]:
            """Change name, e-mail or employee type; publishes employee.updated if anything changed."""
            admin = _admin()
            return handlers.update_employee(uow(), admin.tenant, admin.nip, nip, data)

    @bp.route("/employees/<nip>/move", methods=["POST"])
    @bp.arguments(schemas.EmployeeMove)
    @bp.response(200, schemas.EmployeeOut)
    def move(data: dict[str, Any], nip: str) -> dict[str, Any]:
        """Move to another unit and/or position; publishes employee.moved."""
        admin = _admin()
        return handlers.move_employee(uow(), admin.tenant, admin.nip, nip, data)

    @bp.route("/employees/<nip>/atasan", methods=["POST"])
    @bp.arguments(schemas.AtasanChange)
    @bp.response(200, schemas.EmployeeOut)
    def change_atasan(data: dict[str, Any], nip: str) -> dict[str, Any]:
        """Set (or clear, with null) the atasan; publishes employee.atasan_changed."""
        admin = _admin()
        return handlers.change_atasan(uow(), admin.tenant, admin.nip, nip, data["atasan_nip"])

    @bp.route("/employees/<nip>/deactivate", methods=["POST"])
    @bp.response(200, schemas.EmployeeOut)
    def deactivate(nip: str) -> dict[str, Any]:
        """Mark the employee inactive (retired, moved to another instansi); publishes employee.updated."""
        admin = _admin()
        return handlers.deactivate_employee(uow(), admin.tenant, admin.nip, nip)

    # -- bulk import ------------------------------------------------------------------------
    @bp.route("/import", methods=["POST"])
    @bp.arguments(schemas.ImportOptions, location="query")
    @bp.response(200, schemas.ImportReportOut)
    @bp.alt_response(422, description="File missing or unreadable, or rows rejected (report in the body)")
    @bp.doc(
        requestBody={
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    )
    def import_file(options: dict[str, Any]) -> Any:
        """Import a whole organisation from a .csv or .xlsx file (form field `file`; see the template).

        All or nothing unless keep_valid=true; dry_run=true checks only. Every rejected row is reported
        with its line, field and reason. Re-importing the same file changes nothing."""
        admin = _admin()
        request.max_content_length = MAX_IMPORT_BYTES
        upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
        if upload is None:
            raise _unprocessable(
                "import_file_missing",
                "Kirim berkas .csv atau .xlsx pada kolom formulir 'file' (multipart/form-data).",
                "Send a .csv or .xlsx file in the form field 'file' (multipart/form-data).",
            )
        try:
            rows = org_import.read_rows(upload.filename or "", upload.read())
        except org_import.UnreadableFile as exc:
            raise _unprocessable(exc.code, exc.message_id, exc.message_en) from exc
        report = importer.import_organisation(
            uow(), admin.tenant, admin.nip, rows, keep_valid=options["keep_valid"], dry_run=options["dry_run"]
        )
        body = report.as_dict()
        body["rejected"] = [_message(error) for error in body["rejected"]]
        status = 422 if report.rejected and not report.stored and not report.dry_run else 200
        return body, status

    @bp.route("/import/template")
    @bp.arguments(schemas.TemplateQuery, location="query")
    @bp.response(200, description="The import template (.xlsx or .csv) with example rows")
    def import_template(query: dict[str, Any]) -> Response:
        """Download the import template: the columns, with three example rows."""
        _admin()
        if query["format"] == "csv":
            data, mimetype, name = org_import.template_csv(), "text/csv", "template-organisasi.csv"
        else:
            data, mimetype, name = org_import.template_xlsx(), XLSX, "template-organisasi.xlsx"
        return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return bp


class _Unprocessable(DomainError):
    status = 422


def _unprocessable(code: str, message_id: str, message_en: str) -> DomainError:
    return _Unprocessable(code, message_id, message_en, field="file")
