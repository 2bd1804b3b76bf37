"""A real SMTP server on loopback for Tandem's email tests (aiosmtpd).

Each message it accepts is written to OUT_DIR as one JSON file: the envelope, the
headers the tests look at, and the plain-text and HTML parts decoded. It can refuse
the first N messages with a temporary 451, and refuse recipients for good with 550.
Prints "smtp sink ready" once it listens; stops when its standard input closes, or
with --forever only when it is killed.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out_dir, refuse, reject):
        self.out_dir = out_dir
        self.refuse = refuse
        self.reject = set(reject)
        self.count = 0

    def refused(self, stage, detail):
        with open(os.path.join(self.out_dir, "refusals.jsonl"), "a") as f:
            f.write(json.dumps({"stage": stage, "detail": detail}) + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            self.refused("rcpt", address)
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            self.refused("data", envelope.rcpt_tos)
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "content_type": message.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        self.count += 1
        path = os.path.join(self.out_dir, f"{self.count:04}.json")
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--refuse", type=int, default=0, help="answer 451 to this many messages first")
    parser.add_argument("--reject", action="append", default=[], help="answer 550 to this recipient")
    parser.add_argument("--forever", action="store_true", help="ignore standard input; run until killed")
    args = parser.parse_args()
    controller = Controller(Sink(args.out, args.refuse, args.reject), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("smtp sink ready", flush=True)
    try:
        if args.forever:
            threading.Event().wait()
        else:
            sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
