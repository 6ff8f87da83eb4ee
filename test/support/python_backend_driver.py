"""Plays the Python backend: drives the CLI through the README's CrawlerClient in both shapes
and holds each document to the old service's documents in fixtures/legacy/.

- `--shape legacy`: the keys are exactly the old ones, in the old order (the migration plan's
  test, python_resp.keys() == new_resp.keys()), nested objects and list entries too, each
  value of the old type.
- the default shape: every old key is there, with the old type, besides the crawler's own.

Prints one line per check; exits non-zero on the first failure.
Arguments: the directory holding crawler_client.py, the fixtures/legacy directory, the
task_id type the database gives (`int` where the backend's task_execution_logs exists,
`str` on the crawler's own tables: the run id), then the CLI command.
Expects a fresh database and mirrors with bars for every symbol but 9998.
"""
import json
import math
import os
import sys

sys.path.insert(0, sys.argv[1])
from crawler_client import CrawlerClient  # noqa: E402

FIXTURES = sys.argv[2]
TASK_ID_TYPE = {"int": int, "str": str}[sys.argv[3]]
command = sys.argv[4:]
client = CrawlerClient(command=command, timeout=120)


def old(name):
    with open(os.path.join(FIXTURES, f"{name}.json"), encoding="utf-8") as file:
        return json.load(file)


FETCH_SUCCESS, FETCH_SKIPPED, FETCH_ERROR = old("fetch-success"), old("fetch-skipped"), old("fetch-error")
BATCH, HISTORY = old("batch"), old("history-page")
OLD_ENTRY = {entry["status"]: entry for entry in BATCH["result"]["detailed_results"]}


def check(name, condition, document):
    if not condition:
        print(f"FAIL {name}: {json.dumps(document, ensure_ascii=False)}"[:3000])
        sys.exit(1)
    print(f"ok {name}")


def same_type(new, was, key=""):
    """Whether `new` has the type the old service printed for `was`. JSON has one number type:
    a whole price prints as 442 where Python printed 442.0, so an old float takes an int too.
    An old null (an open date range) takes a string. task_id is an int only where the backend's
    task_execution_logs gives one."""
    if key == "task_id":
        return type(new) is TASK_ID_TYPE
    if was is None:
        return new is None or isinstance(new, str)
    if isinstance(was, bool) or isinstance(new, bool):
        return type(new) is type(was)
    if isinstance(was, float):
        return isinstance(new, (int, float))
    return type(new) is type(was)


def type_errors(new, was, path=""):
    """Keys of `was` whose value in `new` has another type, recursing into objects and lists."""
    errors = []
    for key, old_value in was.items():
        if key not in new:
            errors.append(f"{path}{key} missing")
            continue
        value = new[key]
        if not same_type(value, old_value, key):
            errors.append(f"{path}{key}: {type(value).__name__}, was {type(old_value).__name__}")
        elif isinstance(old_value, dict):
            errors += type_errors(value, old_value, f"{path}{key}.")
        elif isinstance(old_value, list) and old_value and value and isinstance(old_value[0], dict) and key != "detailed_results":
            # detailed_results holds three forms, in completion order: checked entry by entry, by status.
            errors += type_errors(value[0], old_value[0], f"{path}{key}[0].")
    return errors


def exactly_old(new, was):
    """The legacy shape: the old keys in the old order, each of the old type."""
    return list(new.keys()) == list(was.keys()) and new.keys() == was.keys() and not type_errors(new, was)


def has_old(new, was):
    """The default shape: every old key, of the old type (the crawler's own keys besides)."""
    return not type_errors(new, was)


# fetch, stored ------------------------------------------------------------------------
fetched = client.fetch_daily_data("2330")
check("fetch succeeds", fetched["success"] is True and fetched["exit_code"] == 0 and fetched["status"] == "success", fetched)
check("fetch returns rows", len(fetched["data"]) > 100, fetched)
check("fetch row fields", set(fetched["data"][0]) == {"stock_code", "trade_date", "open_price", "high_price", "low_price", "close_price", "volume"}, fetched["data"][0])
check("fetch names its source", fetched["source"] == "node" and "updated_at" in fetched and "message" in fetched, fetched)
check("fetch default has every old key, old types", has_old(fetched, FETCH_SUCCESS), type_errors(fetched, FETCH_SUCCESS))
check("fetch old counts", fetched["records_created"] == fetched["created"] and fetched["records_updated"] == fetched["updated"] + fetched["unchanged"], fetched)

legacy = client.fetch_daily_data("2317", shape="legacy")
check("fetch legacy keys == old keys", exactly_old(legacy, FETCH_SUCCESS), legacy)
check("fetch legacy exit code", client.last_exit_code == 0 and legacy["status"] == "success" and legacy["records_created"] > 0, legacy)

# fetch, skipped (the old endpoint without force_update) -------------------------------
skipped = client.fetch_daily_data("2330", skip_fresh=True)
check("fetch --skip-fresh default", skipped["success"] is True and skipped["status"] == "skipped" and skipped["attempts"] == [], skipped)
check("fetch --skip-fresh default has every old key, old types", has_old(skipped, FETCH_SKIPPED), type_errors(skipped, FETCH_SKIPPED))
legacy = client.fetch_daily_data("2317", skip_fresh=True, shape="legacy")
check("fetch --skip-fresh legacy keys == old keys", exactly_old(legacy, FETCH_SKIPPED), legacy)
check("fetch --skip-fresh latest_date as the old service printed it", legacy["latest_date"].endswith("T00:00:00+00:00"), legacy)

# fetch, no bars anywhere: the old service's failure -------------------------------------
nodata = client.fetch_daily_data("9998")
check("fetch without data default", nodata["success"] is True and nodata["exit_code"] == 0 and nodata["status"] == "error", nodata)
check("fetch without data default has the old key", has_old(nodata, FETCH_ERROR), nodata)
legacy = client.fetch_daily_data("9998", shape="legacy")
check("fetch without data legacy keys == old keys", exactly_old(legacy, FETCH_ERROR), legacy)

bad = client.fetch_daily_data("23X0")
check("bad symbol is exit 2 with JSON", bad["success"] is False and bad["exit_code"] == 2 and bad["error"]["code"] == "E_SYMBOL", bad)
legacy = client.fetch_daily_data("23X0", shape="legacy")
check("bad symbol legacy keys == old keys", exactly_old(legacy, FETCH_ERROR) and client.last_exit_code == 2, legacy)

# update: one skipped (2330), one stored (2454), one without data (9998) -------------------
batch = client.batch_update(["2330", "2454", "9998"], shape="legacy")
result = batch.get("result", {})
check("update legacy keys == old keys", exactly_old(batch, BATCH), batch)
check("update legacy result keys == old keys", exactly_old(result, BATCH["result"]), type_errors(result, BATCH["result"]))
entries = {entry["status"]: entry for entry in result["detailed_results"]}
check("update legacy: a success, a skip and a failure", set(entries) == {"success", "skipped", "failed"} and client.last_exit_code == 0, result)
for status, entry in entries.items():
    check(f"update legacy {status} entry keys == old keys", exactly_old(entry, OLD_ENTRY[status]), entry)
check("update legacy failed_stocks entry keys", exactly_old(result["failed_stocks"][0], BATCH["result"]["failed_stocks"][0]), result)
check("update legacy skipped_stocks entry keys", exactly_old(result["skipped_stocks"][0], BATCH["result"]["skipped_stocks"][0]), result)

updated = client.batch_update(["2330", "2317", "0050"])
result = updated.get("result", {})
check("batch_update succeeds", updated["success"] is True and updated["exit_code"] == 0, updated)
check("batch_update counts", result.get("total") == 3 and result.get("failed") == 0 and "rows" in result, updated)
check("batch_update run id", isinstance(updated.get("run_id"), str), updated)
check("batch_update default has every old key, old types", has_old(updated, {k: v for k, v in BATCH.items() if k != "result"}), updated)
without_detail = {key: value for key, value in BATCH["result"].items() if key != "detailed_results"}
check("batch_update result has every old key, old types", has_old(result, without_detail), type_errors(result, without_detail))
check("batch_update: detailed_results only with --detailed", "detailed_results" not in result, result)
check("batch_update old counts", result["successful_updates"] == 1 and result["skipped_updates"] == 2 and result["successful_stocks"] == ["0050"], result)

detailed = client.batch_update(["2603", "9998"], detailed=True)
result = detailed.get("result", {})
check("batch_update --detailed has every old key, old types", has_old(result, BATCH["result"]), type_errors(result, BATCH["result"]))
for entry in result["detailed_results"]:
    check(f"batch_update --detailed {entry['status']} entry keys == old keys", exactly_old(entry, OLD_ENTRY[entry["status"]]), entry)

# history: the old endpoint's paging -------------------------------------------------------
legacy = client.get_stock_history("2330", page=2, limit=50, shape="legacy")
check("history legacy keys == old keys", exactly_old(legacy, HISTORY), type_errors(legacy, HISTORY))
for part in ("query_params", "pagination"):
    check(f"history legacy {part} keys == old keys", exactly_old(legacy[part], HISTORY[part]), legacy[part])
check("history legacy row keys == old keys", all(exactly_old(row, HISTORY["data"][0]) for row in legacy["data"]), legacy["data"][:2])
paging, total = legacy["pagination"], legacy["total_records"]
check("history legacy paging arithmetic", paging["total_pages"] == math.ceil(total / 50) and paging["has_next"] == (2 < paging["total_pages"])
      and paging["has_previous"] is True and len(legacy["data"]) == 50, paging)
check("history legacy newest first", legacy["query_params"]["sort_order"] == "desc" and legacy["data"][0]["trade_date"] > legacy["data"][1]["trade_date"], legacy["data"][:2])

history = client.get_stock_history("2330", page=2, limit=50)
check("history default has every old key, old types", has_old(history, HISTORY), type_errors(history, HISTORY))
check("history default rows carry adjusted_close", all(row["adjusted_close"] == row["close_price"] for row in history["data"]), history["data"][:2])
history = client.get_stock_history("2330", limit=5)
check("history page of 5, total_records of the whole range", history["success"] is True and len(history["data"]) == 5
      and history["total_records"] == total and history["pagination"]["total_pages"] == math.ceil(total / 5), history)

# health and the client's fallbacks ----------------------------------------------------------
health = client.health_check()
check("health answers", health.get("status") in ("healthy", "degraded", "unhealthy") and "database" in health, health)
check("health exit code", health["exit_code"] in (0, 1), health)

missing = CrawlerClient(command=["/nonexistent/stock-crawler"])
document = missing.fetch_daily_data("2330")
check("missing binary falls back", document["success"] is False and document["error"]["code"] == "E_NOT_INSTALLED", document)
document = missing.fetch_daily_data("2330", shape="legacy")
check("missing binary falls back, legacy", set(document) == {"detail"} and missing.last_error == "E_NOT_INSTALLED", document)

slow_client = CrawlerClient(command=command, timeout=0.01)
timed_out = slow_client.fetch_daily_data("2330")
check("timeout falls back", timed_out["success"] is False and timed_out["error"]["code"] == "E_TIMEOUT", timed_out)
print("all checks passed")
