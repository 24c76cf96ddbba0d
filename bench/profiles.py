"""Account profile checks benchmark: rotating user/get checks over a ~3,000-member simulated company.

    .venv/bin/python bench/profiles.py [--size large] [--batch 100] [--edits 30] [--seed 42]

* zhidu runs on a fresh SQLite database in a temporary directory; the WeCom simulator runs in this process on
  a free port and is reached over real HTTP (one user/get per member checked).
* Not timed: the contacts sync that creates the members.
* Timed: choosing a batch (`profile_check_batch`, the query the beat task runs first); one full rotation in
  batches of `--batch` (every member's first observation becomes its baseline); then `--edits` console edits
  in the simulator, each marking its member due (as the update_user callback does), and one run that must
  open exactly that many reviews because marked members go first.

Ends with one `RESULT key=value …` line and writes bench/results/profiles.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import Timer, machine, result_line, write_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="zhidu-bench-profiles-")
    os.environ.update(
        {
            "ZHIDU_ENV": "dev",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "ZHIDU_VAR_DIR": tmp,
            "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from wecomsim import SimulatorServer
    from zhidu.org.models import ApprovedProfile, Member, ProfileReview
    from zhidu.wecom.profiles import profile_check_batch, profile_check_mark_due, profiles_check
    from zhidu.wecom.sync import sync_all

    call_command("migrate", verbosity=0)
    sim = SimulatorServer(seed=args.seed, size=args.size, port=0, secret="bench-all", epoch=1_764_000_000).start()
    try:
        settings.WECOM_API_BASE = sim.url
        settings.WECOM_CORP_ID = sim.company.corp_id
        for name in ("WECOM_CONTACT_SECRET", "WECOM_CUSTOMER_SECRET", "WECOM_APP_SECRET"):
            setattr(settings, name, "bench-all")
        sync_all(what=["contacts"])
        members = Member.objects.exclude(wecom_userid=None).filter(status="active").count()

        with Timer() as pick:
            for _ in range(10):
                profile_check_batch(args.batch)
        runs = 0
        with Timer() as rotation:
            while ApprovedProfile.objects.count() < members and runs < members:
                profiles_check(batch=args.batch)
                runs += 1
        edited = [u.userid for u in sim.company.active_users() if u.role == "sales"][-args.edits :]
        for userid in edited:
            sim.mutate("user_profile_edit", userid=userid, external_position="首席顾问", wait=False)
            profile_check_mark_due(userid)
        with Timer() as detect:
            counts = profiles_check(batch=args.batch)
        opened = ProfileReview.objects.open().count()
        assert counts.get("opened", 0) == len(edited) == opened, (counts, opened)
    finally:
        sim.stop()

    values = {
        "members": members,
        "batch": args.batch,
        "rotation_runs": runs,
        "rotation_s": round(rotation.wall, 2),
        "per_member_ms": round(1000 * rotation.wall / max(members, 1), 2),
        "pick_batch_ms": round(1000 * pick.wall / 10, 2),
        "edits": len(edited),
        "detect_run_s": round(detect.wall, 3),
        "reviews_opened": opened,
    }
    write_results("profiles", {**values, "machine": machine()})
    print(result_line(values))


if __name__ == "__main__":
    main()
