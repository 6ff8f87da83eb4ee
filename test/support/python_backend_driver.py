"""Plays the Python backend: drives the CLI through the README's CrawlerClient and checks
the fields the backend relies on. Prints one line per check; exits non-zero on the first
failure. Arguments: the directory holding crawler_client.py, then the CLI command."""
import sys

sys.path.insert(0, sys.argv[1])
from crawler_client import CrawlerClient  # noqa: E402

command = sys.argv[2:]
client = CrawlerClient(command=command, timeout=120)


def check(name, condition, document):
    if not condition:
        print(f"FAIL {name}: {document!r}"[:2000])
        sys.exit(1)
    print(f"ok {name}")


fetched = client.fetch_daily_data("2330")
check("fetch succeeds", fetched["success"] is True and fetched["exit_code"] == 0, fetched)
check("fetch returns rows", len(fetched["data"]) > 100, fetched)
row = fetched["data"][0]
check("fetch row fields", set(row) == {"stock_code", "trade_date", "open_price", "high_price", "low_price", "close_price", "volume"}, row)
check("fetch names its source", fetched["source"] == "node" and "updated_at" in fetched and "message" in fetched, fetched)

updated = client.batch_update(["2330", "2317", "0050"])
result = updated.get("result", {})
check("batch_update succeeds", updated["success"] is True and updated["exit_code"] == 0, updated)
check("batch_update counts", result.get("total") == 3 and result.get("failed") == 0 and "rows" in result, updated)
check("batch_update run id", isinstance(updated.get("run_id"), str), updated)

history = client.history("2330", limit=5)
check("history rows", history["success"] is True and history["total_records"] == 5 and len(history["data"]) == 5, history)

health = client.health_check()
check("health answers", health.get("status") in ("healthy", "degraded", "unhealthy") and "database" in health, health)
check("health exit code", health["exit_code"] in (0, 1), health)

bad = client.fetch_daily_data("23X0")
check("bad symbol is exit 2 with JSON", bad["success"] is False and bad["exit_code"] == 2 and bad["error"]["code"] == "E_SYMBOL", bad)

missing = CrawlerClient(command=["/nonexistent/stock-crawler"]).fetch_daily_data("2330")
check("missing binary falls back", missing["success"] is False and missing["error"]["code"] == "E_NOT_INSTALLED", missing)

slow_client = CrawlerClient(command=command, timeout=0.01)
timed_out = slow_client._run(["fetch", "2330"], 0.01)
check("timeout falls back", timed_out["success"] is False and timed_out["error"]["code"] == "E_TIMEOUT", timed_out)
print("all checks passed")
