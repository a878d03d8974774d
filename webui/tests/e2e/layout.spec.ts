// Every page of every role that has pages, on a tablet in portrait and on a laptop: nothing
// makes the page scroll sideways (wide tables scroll inside their own box), the main heading
// is on screen, and a keyboard user reaches the menu and the page's first control from the
// top of the page with a visible focus ring.
import { expect, test, type Page } from "@playwright/test";
import { logInAs } from "./node-api";
import { marketWithLongIdentifiers, trackApiQuiet } from "./layout-scene";

const roles = ["prosumer", "dso", "operator", "regulator", "auditor"];
const screens = [
  { name: "tablet portrait", width: 820, height: 1180 },
  { name: "laptop", width: 1366, height: 768 },
];
const focusable = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

test.beforeAll(async () => {
  await marketWithLongIdentifiers();
});

async function menuLinks(page: Page): Promise<string[]> {
  const menu = page.getByRole("navigation", { name: "Pages" });
  await expect(menu.getByRole("link").first()).toBeVisible();
  return menu.getByRole("link").evaluateAll((links) => links.map((link) => link.getAttribute("href")!));
}

// The outline the focused element shows, or "none".
function focusRing(page: Page): Promise<string> {
  return page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return style.outlineStyle === "none" ? "none" : `${style.outlineWidth} ${style.outlineStyle}`;
  });
}

// The first element that reaches past the window outside any box that scrolls on its own,
// named so a failure says what to fix.
function widestCulprit(page: Page): Promise<string> {
  return page.evaluate(() => {
    const width = document.scrollingElement!.clientWidth;
    const scrolls = (element: Element | null): boolean =>
      !!element && element !== document.body && (["auto", "scroll", "hidden"].includes(getComputedStyle(element).overflowX) || scrolls(element.parentElement));
    for (const element of Array.from(document.querySelectorAll("body *"))) {
      // An absolute element escapes its scroll box unless a positioned ancestor holds it.
      const absolute = getComputedStyle(element).position === "absolute";
      if (element.getBoundingClientRect().right <= width + 1 || (!absolute && scrolls(element.parentElement))) continue;
      const name = `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(" ").join(".")}` : ""}`;
      return `${name}: ${(element.textContent ?? "").trim().slice(0, 60)}`;
    }
    return "no single element";
  });
}

for (const role of roles) {
  test(`${role}: every page fits a tablet and a laptop, and the keyboard reaches the menu and the page`, async ({ page }) => {
    test.setTimeout(180_000);
    const quiet = trackApiQuiet(page);
    await logInAs(page, role);
    const paths = await menuLinks(page);
    expect(paths.length).toBeGreaterThan(1);

    const overflowing: string[] = [];
    for (const screen of screens) {
      await page.setViewportSize({ width: screen.width, height: screen.height });
      for (const path of paths) {
        await page.goto(`${process.env.FLEX_E2E_URL}/${path}`);
        await expect(page.locator("main h1")).toBeInViewport();
        await quiet();
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({
          scrollWidth: document.scrollingElement!.scrollWidth,
          clientWidth: document.scrollingElement!.clientWidth,
        }));
        if (scrollWidth > clientWidth + 1) overflowing.push(`${path} on a ${screen.name}: ${scrollWidth} px wide in ${clientWidth} (${await widestCulprit(page)})`);
      }
    }
    expect(overflowing).toEqual([]);

    // From the top of a freshly loaded page: Tab lands on the menu's first link, then,
    // past the menu and Log out, on the first control of the page itself.
    const path = paths[1];
    await page.goto(`${process.env.FLEX_E2E_URL}/${path}`);
    await page.reload();
    await expect(page.locator("main h1")).toBeVisible();
    await quiet();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("navigation", { name: "Pages" }).getByRole("link").first()).toBeFocused();
    expect(await focusRing(page)).toBe("3px solid");
    const firstControl = page.locator("main").locator(focusable).first();
    for (let presses = 0; presses < paths.length + 1; presses++) await page.keyboard.press("Tab");
    await expect(firstControl).toBeFocused();
    expect(await focusRing(page)).toBe("3px solid");
  });
}
