"""Plates per second: 15,000 QR plates on A4 sheets of 12 (the seeds' 15,000+ plates),
and single plates, with the PDF size."""

import time

from _setup import django_setup

COUNT = 15_000


def main() -> None:
    django_setup()
    from gridgov.smartcodes.models import new_token
    from gridgov.smartcodes.plates import plates_pdf

    plates = [
        {
            "url": f"https://gucheng.example.gov.cn/c/{new_token()}/",
            "name": f"纳西银器店{i}",
            "serial": f"530702001002001-B{i:07d}",
            "issuer": "古城区网格化服务管理中心",
        }
        for i in range(COUNT)
    ]
    for sheet in (True, False):
        started = time.perf_counter()
        content = plates_pdf(plates, sheet=sheet)
        seconds = time.perf_counter() - started
        print(
            f"{COUNT} plates ({'A4 sheets of 12' if sheet else 'one per page'}): {seconds:.1f} s, {COUNT / seconds:,.0f} plates/s, {len(content) / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
