// An administrator who can administer (issue 13 §6, §3): finds a person in the people list,
// edits them (a bad phone number comes back on the form, everything typed kept, the
// problem beside the field in Vietnamese), resets their password; the person's open
// session ends, the old password no longer opens, the temporary one leads to the password
// page only, and the person's own new password opens "Việc của tôi". Forms only, no script.

import {
  DEMO_PASSWORD, bodyText, check, login, newPage, nfc, runScenarios, submit,
} from '../lib.mjs';

await runScenarios([
  ['an administrator edits a person and resets their password', async ({ browser, page, demo }) => {
    const { base } = demo;
    const officer = await newPage(browser);
    await login(officer, base, 'chuyenvien.vp');

    await login(page, base, 'quantri.ubnd');
    await page.goto(`${base}/admin?q=chuyen%20vien`);
    // The row of chuyenvien.vp itself: the search finds every officer ("Chuyên viên").
    const link = page.locator('#people-list tr', { hasText: 'chuyenvien.vp' })
      .locator('a[href^="/admin/people/"]').first();
    const personUrl = `${base}${await link.getAttribute('href')}`;
    await page.goto(personUrl);
    check((await page.locator('#session-list tbody tr').count()) >= 1, 'the open session is listed');

    await page.fill('#full_name', 'Nguyễn Văn Mới');
    await page.fill('#phone', 'gọi cho tôi');
    await submit(page, '#person-form button[type=submit]');
    const problem = nfc(await page.locator('#phone-problem').innerText());
    check(problem.includes('Số điện thoại'), `the problem beside the phone, in Vietnamese: ${problem}`);
    check(nfc(await page.inputValue('#full_name')) === 'Nguyễn Văn Mới', 'the typed name kept');
    await page.fill('#phone', '0912 345 678');
    await submit(page, '#person-form button[type=submit]');
    check((await page.locator('#saved').count()) === 1, `saved: ${(await bodyText(page)).slice(0, 300)}`);

    await submit(page, '#reset-password-form button[type=submit]');
    const temporary = (await page.locator('#temporary-password-value').innerText()).trim();
    check(temporary.length >= 10, `a temporary password is shown: ${temporary}`);
    check((await page.locator('#no-sessions').count()) === 1, 'every session ended');

    await officer.goto(`${base}/outgoing`);
    check(new URL(officer.url()).pathname === '/login', `the officer's session ended: ${officer.url()}`);
    await officer.fill('input[name=username]', 'chuyenvien.vp');
    await officer.fill('input[name=password]', DEMO_PASSWORD);
    await submit(officer, 'button[type=submit]');
    check(new URL(officer.url()).pathname === '/login', 'the old password is refused');

    await login(officer, base, 'chuyenvien.vp', temporary);
    check(new URL(officer.url()).pathname === '/password', `the password page first: ${officer.url()}`);
    check((await officer.locator('#must-change').count()) === 1, 'says why');
    await officer.fill('#current', temporary);
    await officer.fill('#new', 'Mật khẩu riêng 2026');
    await officer.fill('#repeat', 'Mật khẩu riêng 2026');
    await submit(officer, '#password-form button[type=submit]');
    check(new URL(officer.url()).pathname === '/my-work', `then the day's work: ${officer.url()}`);
  }],
]);
