#!/usr/bin/env python3
"""The client portal in a real browser (issue 13): headless Chromium driven by Selenium against a running
`docket serve` on loopback. Run by Tests/DocketServerTests/PortalBrowserTests.swift, which prepares the store
(clients acme and globex, contacts carla and gus, ticket T-1001 of acme with a tech's public reply and an internal
note, ticket T-1002 of globex) and starts the server.

  portal-browser-test.py --base http://127.0.0.1:PORT --docket BIN --store PATH --shots DIR

Each step prints one line; a failed check exits 1 naming it. Screenshots go to --shots (never into the repository).
"""
import argparse
import json
import os
import quopri
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

args = argparse.ArgumentParser()
args.add_argument("--base", required=True)
args.add_argument("--docket", required=True)
args.add_argument("--store", required=True)
args.add_argument("--shots", required=True)
args = args.parse_args()
os.makedirs(args.shots, exist_ok=True)
shot_number = 0


def fail(message):
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}", flush=True)


def docket(*arguments):
    env = dict(os.environ, DOCKET_STORE=args.store, DOCKET_USER="ann")
    return subprocess.run([args.docket, *arguments], env=env, capture_output=True, text=True, timeout=60, check=True).stdout


def link_from_outbox(email):
    """The link in the last sign-in mail to `email`, read as its recipient would: `docket outbox show`, decoded."""
    rows = [r for r in json.loads(docket("outbox", "list", "--json")) if r["reason"] == "sign-in" and r["to"] == [email]]
    check(rows, f"a sign-in mail to {email} is in the outbox")
    raw = docket("outbox", "show", rows[-1]["messageId"])
    body = quopri.decodestring(raw.split("\n\n", 1)[1].encode()).decode() if "\n\n" in raw else raw
    links = [w for w in body.split() if w.startswith(args.base + "/portal/link/")]
    check(len(links) == 1, "the mail carries one sign-in link")
    return links[0]


def browser():
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=412,915",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def shot(driver, name):
    global shot_number
    shot_number += 1
    driver.save_screenshot(os.path.join(args.shots, f"{shot_number:02d}-{name}.png"))


def go(driver, element):
    """Clicks `element` (a link or a submit button) and waits until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(lambda _: is_gone(page))


def is_gone(element):
    """Whether `element` has left the document. Selenium's `staleness_of` knows only the stale-reference error;
    Chromium also answers "Node with given id does not belong to the document" while it swaps the page."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def sign_in(driver, email, who):
    driver.get(args.base + "/portal")
    check(driver.find_element(By.CSS_SELECTOR, "label[for=email]").text == "Email address", f"{who}: the sign-in page labels its input")
    driver.find_element(By.ID, "email").send_keys(email)
    shot(driver, f"{who}-sign-in")
    go(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/portal/sign-in'] button"))
    check("Check your email" in text(driver), f"{who}: asking for a link says to check the mail")
    link = link_from_outbox(email)
    driver.get(link)
    shot(driver, f"{who}-link-landing")
    go(driver, driver.find_element(By.ID, "continue"))
    check(driver.current_url.endswith("/portal/tickets"), f"{who}: following the link signs in and lands on the ticket list")
    shot(driver, f"{who}-tickets")


carla = browser()
gus = browser()
try:
    # Carla (Acme) signs in with a link from the outbox and sees only Acme's tickets.
    sign_in(carla, "carla@acme.example", "carla")
    page = text(carla)
    check("T-1001" in page and "T-1002" not in page, "carla sees Acme's T-1001 and not Globex's T-1002")
    check("<script>" in page and not carla.find_elements(By.TAG_NAME, "script"), "the subject's <script> is shown as text, not run")

    # She opens the ticket: the tech's public reply is there, the internal note is not; she replies.
    go(carla, carla.find_element(By.LINK_TEXT, "T-1001"))
    page = text(carla)
    check("Driver reinstalled" in page, "carla sees the tech's public reply")
    check("secret internal note" not in page, "carla does not see the internal note")
    carla.find_element(By.ID, "text").send_keys("Printing works again, thank you")
    shot(carla, "carla-reply")
    go(carla, carla.find_element(By.CSS_SELECTOR, "form[action$='/replies'] button"))
    check("Printing works again, thank you" in text(carla), "carla's reply is on the ticket page")
    shot(carla, "carla-replied")

    # She opens a new ticket.
    carla.get(args.base + "/portal/tickets")
    go(carla, carla.find_element(By.LINK_TEXT, "Open a new ticket"))
    carla.find_element(By.ID, "subject").send_keys("VPN drops every hour")
    carla.find_element(By.ID, "description").send_keys("Since Monday, on every laptop.")
    carla.find_element(By.ID, "category").send_keys("Network")
    Select(carla.find_element(By.ID, "priority")).select_by_value("P2")
    photo = os.path.join(tempfile.mkdtemp(prefix="portal-upload-"), "router-lights.png")
    with open(photo, "wb") as f:
        f.write(bytes(range(256)) * 4)
    carla.find_element(By.ID, "files").send_keys(photo)
    shot(carla, "carla-new-ticket")
    go(carla, carla.find_element(By.CSS_SELECTOR, "form[action='/portal/tickets'] button"))
    check("VPN drops every hour" in text(carla) and "/portal/tickets/T-" in carla.current_url, "carla's new ticket opens on its page")
    new_ticket = carla.current_url.rsplit("/", 1)[1]
    files = carla.find_elements(By.CSS_SELECTOR, "ul.files a[download]")
    check(len(files) == 1 and files[0].text == "router-lights.png", "carla's attached file is listed on her new ticket")
    attachment_url = files[0].get_attribute("href")
    shot(carla, "carla-opened")

    # Gus (Globex) signs in and is refused Carla's ticket URL, and her new one.
    sign_in(gus, "gus@globex.example", "gus")
    check("T-1002" in text(gus) and "T-1001" not in text(gus), "gus sees Globex's T-1002 only")
    for number in ["T-1001", new_ticket]:
        gus.get(args.base + "/portal/tickets/" + number)
        page = text(gus)
        check("Not found" in page and "Driver reinstalled" not in page and "VPN" not in page, f"gus is refused Acme's {number} (not found)")
    gus.get(attachment_url)
    check("Not found" in text(gus), "gus is refused the file attached to Carla's ticket (not found)")
    shot(gus, "gus-refused")

    # A form without its CSRF token is refused, and nothing is written.
    gus.get(args.base + "/portal/tickets/T-1002")
    gus.execute_script("document.querySelector(\"form[action$='/replies'] input[name=csrf]\").remove()")
    gus.find_element(By.ID, "text").send_keys("forged without a token")
    go(gus, gus.find_element(By.CSS_SELECTOR, "form[action$='/replies'] button"))
    check("Refused" in text(gus) and "security token" in text(gus), "a reply form without its CSRF token is refused")
    shot(gus, "gus-csrf-refused")
    gus.get(args.base + "/portal/tickets/T-1002")
    check("forged without a token" not in text(gus), "the refused reply was not written")

    # Carla signs out: the portal is closed to her browser again.
    carla.get(args.base + "/portal/tickets")
    go(carla, carla.find_element(By.CSS_SELECTOR, "form[action='/portal/sign-out'] button"))
    check(carla.current_url.endswith("/portal") and "Sign in" in text(carla), "carla signs out to the sign-in page")
    carla.get(args.base + "/portal/tickets")
    check(carla.current_url.endswith("/portal"), "after signing out the ticket list sends her to sign in")
    shot(carla, "carla-signed-out")
    print("PASSED", flush=True)
finally:
    carla.quit()
    gus.quit()
