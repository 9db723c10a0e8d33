import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError
from gridgov.smartcodes.models import SmartCode
from gridgov.smartcodes.plates import plates_pdf
from gridgov.smartcodes.selectors import plate_rows
from gridgov.smartcodes.services import codes_issue


class Command(BaseCommand):
    help = "Issue codes for every place under --root that lacks one and write their plates to --out (PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--root", required=True)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--single", action="store_true", help="One plate per page instead of A4 sheets of 12."
        )
        parser.add_argument(
            "--base-url", default=None, help="Public address the QR codes point to."
        )

    def handle(self, *args, root: str, out: Path, single: bool, base_url: str | None, **options):
        started = time.perf_counter()
        admin = User.objects.filter(is_superuser=True).first()
        area = Area.objects.filter(code=root).first()
        if admin is None or area is None:
            raise CommandError(f"No area {root} (or no superuser to act as).")
        try:
            issued = codes_issue(user=admin, root_code=root)
        except DomainError as error:
            raise CommandError(error.message) from error
        codes = SmartCode.objects.filter(
            area__path__startswith=area.path, revoked_at__isnull=True
        ).order_by("serial")
        total = codes.count()
        issuer = f"{area.name}网格化服务管理中心"
        content = plates_pdf(
            plate_rows(codes, issuer, base_url),
            sheet=not single,
            progress=lambda share: self.stderr.write(f"{share:.0%} of {total} plates"),
        )
        out.write_bytes(content)
        self.stdout.write(
            f"{issued} codes issued, {total} plates in {out} ({len(content) // 1024} KiB, {time.perf_counter() - started:.1f} s)"
        )
