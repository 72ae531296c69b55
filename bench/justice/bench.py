#!/usr/bin/env python3
"""Justice-data benchmark: the jail feed's alert latency and batch
throughput against a site of 20,000 persons, and a 1,000,000-row arrests
import's time and peak memory.

Standard library only. Usage (from the repository root, after
`cargo build --release -p handoff` and
`cargo build --release -p handoff-justice --example generate`):

    python3 bench/justice/bench.py [--work DIR] [--singles 1000] [--batch 10000]
        [--persons 20000] [--import-rows 1000000]

Steps:
 1. `handoff serve --demo` on a fresh SQLite database (the demo site with
    about 240 participants), then `handoff import persons` of a
    20,000-person comparison roster, a booking history of 5,000 of them
    (a fifth with a misspelt last name) and of every participant, then
    `handoff link train`.
 2. One warm-up booking; then 10,000 bookings posted as one batch (50 of
    them for participants, who alert their case manager): the POST's wall
    time is the end-to-end time (linked, stored, alerts raised).
 3. 1,000 single bookings for the demo case manager's participants, each
    timed from just before the POST to the `booking.new` event on the case
    manager's live stream (SSE); p50/p99 of that and of the POST alone.
 4. The server is stopped; `/usr/bin/time -v handoff import arrests` of a
    generated 1,000,000-row file into the same site (linked against the
    20,000 persons with the trained model): wall time and peak RSS.
"""

import argparse
import csv
import http.client
import json
import os
import queue
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "handoff")
GEN = os.path.join(ROOT, "target", "release", "examples", "generate")

FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
         "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
         "Carlos", "Maria", "Jose", "Ana", "Luis", "Rosa", "Wei", "Mei", "Andre", "Keisha", "Tyrone",
         "Latoya", "Dmitri", "Olga", "Ahmed", "Fatima", "Kenji", "Yuki", "Samuel", "Grace", "Ivan"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
        "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
        "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
        "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(args, env, **kw):
    return subprocess.run([BIN] + args, env=env, check=True, capture_output=True, text=True, **kw)


def pct(xs, p):
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def booking(number, first, last, dob, sex="U", charges=None):
    return {"booking_number": number, "booked_at": "2026-11-30T22:15:00-08:00",
            "released_at": None, "first_name": first, "middle_name": None, "last_name": last,
            "dob": dob, "sex": sex, "race": None,
            "charges": charges or [{"statute": "9A.56.050", "description": "theft 3", "felony": "M"}]}


def post(port, path, body, token=None, cookie=None, content_type="application/json"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"content-type": content_type}
    if token:
        headers["authorization"] = "Bearer " + token
    if cookie:
        headers["cookie"] = cookie
    c.request("POST", path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    cookies = r.getheader("set-cookie")
    c.close()
    return r.status, data, cookies


def sse_listener(port, cookie, events, ready):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("GET", "/api/v1/events", headers={"cookie": cookie, "accept": "text/event-stream"})
    r = c.getresponse()
    ready.set()
    kind = None
    while True:
        line = r.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\n")
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind == "booking.new":
            events.put(time.perf_counter())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/handoff-justice-bench")
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--singles", type=int, default=1000)
    ap.add_argument("--import-rows", type=int, default=1000000)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    db_path = os.path.join(a.work, "h.db")
    env = dict(os.environ, HANDOFF_DATABASE_URL="sqlite://" + db_path, RUST_LOG="warn")
    results = {}

    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--demo", "--bind", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        # Wait for the demo population.
        for _ in range(600):
            try:
                n = sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM participants").fetchone()[0]
                if n >= 200:
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.5)

        # 1. The roster of 20,000 persons, and a trained model.
        rnd = random.Random(7)
        roster = os.path.join(a.work, "roster.csv")
        people = []
        with open(roster, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["roster_id", "logged_at", "first_name", "last_name", "dob", "sex", "race", "shift"])
            for i in range(a.persons):
                p = (rnd.choice(FIRST), rnd.choice(LAST) + ("" if i % 3 else str(i % 97)),
                     f"19{rnd.randint(55, 99)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                     rnd.choice("FM"))
                people.append(p)
                w.writerow([f"R{i:06d}", "2024-06-01", p[0], p[1], p[2], p[3], "White", "red"])
        t = time.perf_counter()
        out = run(["import", "persons", roster], env).stdout.strip()
        results["roster_import_s"] = time.perf_counter() - t
        print("roster:", out, f"({results['roster_import_s']:.1f} s)")
        # A booking history of the same people (some names misspelt), so
        # the model learns from true matches.
        history = os.path.join(a.work, "history.csv")
        con = sqlite3.connect(db_path)
        everyone = con.execute(
            "SELECT p.first_name, p.last_name, p.dob, p.sex FROM participants pa "
            "JOIN persons p ON p.id = pa.person_id WHERE p.dob IS NOT NULL").fetchall()
        con.close()
        with open(history, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["booking_number", "booked_at", "released_at", "first_name", "middle_name",
                        "last_name", "dob", "sex", "race", "charges"])
            for i in range(a.persons // 4):
                first, last, dob, sex = people[rnd.randrange(len(people))]
                if i % 5 == 0 and len(last) > 3:
                    k = rnd.randrange(1, len(last) - 1)
                    last = last[:k] + last[k + 1] + last[k] + last[k + 2:]
                w.writerow([f"H{i:06d}", "2023-05-01T10:00:00Z", "2023-05-02T10:00:00Z", first, "",
                            last, dob, sex, "", ""])
            for i, (first, last, dob, sex) in enumerate(everyone):
                w.writerow([f"HP{i:05d}", "2023-06-01T10:00:00Z", "", first, "", last, dob, sex, "", ""])
        out = run(["import", "bookings", history], env).stdout.strip()
        print("history:", out)
        t = time.perf_counter()
        out = run(["link", "train"], env).stdout.strip()
        results["train_s"] = time.perf_counter() - t
        print("train:", out.replace("\n", "; "), f"({results['train_s']:.1f} s)")

        token = run(["admin", "create-token", "--site", "demo", "--name", "bench",
                     "--agency", "Demo County Police Department", "--scope", "bookings_feed"],
                    env).stdout.strip()
        con = sqlite3.connect(db_path)
        mine = con.execute(
            "SELECT p.first_name, p.last_name, p.dob, p.sex FROM participants pa "
            "JOIN persons p ON p.id = pa.person_id JOIN users u ON u.id = pa.case_manager_id "
            "WHERE u.email = 'casemanager@demo.test' AND p.dob IS NOT NULL").fetchall()
        everyone = con.execute(
            "SELECT p.first_name, p.last_name, p.dob, p.sex FROM participants pa "
            "JOIN persons p ON p.id = pa.person_id WHERE p.dob IS NOT NULL").fetchall()
        con.close()
        print(f"participants: {len(everyone)} ({len(mine)} of the demo case manager)")

        # 2. Warm-up, then the batch.
        s, body, _ = post(port, "/api/v1/feeds/bookings",
                          json.dumps(booking("W-0", *people[0])), token=token)
        assert s == 200, body
        batch = []
        for i in range(a.batch):
            if i % (a.batch // 50) == 0:
                f, l, d, x = everyone[(i // (a.batch // 50)) % len(everyone)]
                batch.append(booking(f"BATCH-P{i}", f, l, d, x))
            else:
                f, l, d, x = people[rnd.randrange(len(people))]
                batch.append(booking(f"BATCH-{i}", f, l, d, x))
        t = time.perf_counter()
        s, body, _ = post(port, "/api/v1/feeds/bookings", json.dumps(batch), token=token)
        results["batch_s"] = time.perf_counter() - t
        assert s == 200, body[:500]
        summary = json.loads(body)
        results["batch_summary"] = summary
        print(f"batch of {a.batch}: {results['batch_s']:.2f} s end to end; {summary}")

        # 3. Single posts, timed to the case manager's live event.
        s, body, cookie = post(port, "/api/v1/session",
                               json.dumps({"email": "casemanager@demo.test", "password": "demo-password"}))
        assert s == 200, body
        cookie = cookie.split(";")[0]
        events, ready = queue.Queue(), threading.Event()
        threading.Thread(target=sse_listener, args=(port, cookie, events, ready), daemon=True).start()
        ready.wait(10)
        time.sleep(0.2)
        to_event, post_only, after_return = [], [], []
        for i in range(a.singles):
            f, l, d, x = mine[i % len(mine)]
            body = json.dumps(booking(f"S-{i}", f, l, d, x, charges=[]))
            t0 = time.perf_counter()
            s, data, _ = post(port, "/api/v1/feeds/bookings", body, token=token)
            t1 = time.perf_counter()
            assert s == 200, data
            t2 = events.get(timeout=10)
            to_event.append(t2 - t0)
            post_only.append(t1 - t0)
            after_return.append(max(0.0, t2 - t1))
        ms = lambda xs: {"p50_ms": round(1000 * statistics.median(xs), 2),
                         "p99_ms": round(1000 * pct(xs, 99), 2), "max_ms": round(1000 * max(xs), 2)}
        results["single_post_to_event"] = ms(to_event)
        results["single_post"] = ms(post_only)
        results["event_after_post_returned"] = ms(after_return)
        print("single bookings, POST sent → booking.new on the live stream:", results["single_post_to_event"])
        print("single bookings, POST alone:", results["single_post"])
        print("event after the POST returned:", results["event_after_post_returned"])
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)

    # 4. The million-row import.
    if a.import_rows:
        big = os.path.join(a.work, "arrests.csv")
        subprocess.run([GEN, "arrests", str(a.import_rows), big], check=True)
        size = os.path.getsize(big)
        p = subprocess.run(["/usr/bin/time", "-v", BIN, "import", "arrests", big], env=env,
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(p.stdout, p.stderr)
            sys.exit(1)
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr).group(1)
        results["import"] = {"rows": a.import_rows, "bytes": size, "wall": wall,
                             "peak_rss_mb": round(rss / 1024, 1), "summary": p.stdout.strip()}
        print(f"import of {a.import_rows} arrests ({size / 1e6:.0f} MB): {wall} wall, "
              f"{rss / 1024:.0f} MB peak RSS; {p.stdout.strip()}")
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
