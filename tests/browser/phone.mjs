// The leader signs a document from the desk with the phone (remote signing, CSC): the desk
// page asks, a second browser context — the leader's phone, 390 px — approves on
// /sign-requests with the PIN, and the desk page reloads with the signature panel. Shared by
// the flows that need a real leader's signature; a reviewer's initial from the phone is the
// same walk.
import { bodyText, check, DEMO_PASSWORD, login, newPage, STEP_TIMEOUT_MS, submit } from './lib.mjs';

/** The person's phone (a second browser context, 390 px) approves their pending request. */
async function approveOnThePhone(browser, base, username, subject) {
  const phone = await newPage(browser, { width: 390, height: 844 });
  await login(phone, base, username);
  await phone.goto(`${base}/sign-requests`);
  await phone.waitForSelector('.sign-request', { timeout: STEP_TIMEOUT_MS });
  check((await bodyText(phone)).includes(subject.slice(0, 20)), 'the phone shows what is signed');
  await phone.fill('.sign-request input[name=pin]', DEMO_PASSWORD);
  await submit(phone, '.sign-request button[name=approve]');
  return phone;
}

export async function leaderSignsWithThePhone(browser, base, url, subject, leader = 'lanhdao.ubnd') {
  const desk = await newPage(browser);
  await login(desk, base, leader);
  await desk.goto(url);
  await desk.selectOption('#sign-device', 'phone');
  await desk.click('#sign-button');
  const phone = await approveOnThePhone(browser, base, leader, subject);
  // The panel may already list a reviewer's initial: wait for the leader's own field.
  await desk.waitForFunction(
    () => document.getElementById('signature-panel')?.innerText.includes('ChuKyLanhDao'),
    null,
    { timeout: 60_000 },
  );
  const text = await bodyText(desk);
  check(text.includes('Đã ký'), `signed: ${text.slice(0, 400)}`);
  check(text.includes('ChuKyLanhDao'), 'the panel lists the leader signature');
  await phone.context().close();
  await desk.context().close();
}

/** A reviewer approves a draft by initialling it (ký nháy) from their phone (issue 13 §2). */
export async function reviewerInitialsWithThePhone(browser, base, url, subject, reviewer) {
  const desk = await newPage(browser);
  await login(desk, base, reviewer);
  await desk.goto(url);
  await desk.selectOption('#initial-device', 'phone');
  await desk.click('#initial-button');
  const phone = await approveOnThePhone(browser, base, reviewer, subject);
  await desk.waitForFunction(
    () => document.getElementById('signature-panel')?.innerText.includes('KyNhay_'),
    null,
    { timeout: 60_000 },
  );
  await phone.context().close();
  await desk.context().close();
}
