import { expect, type Locator, type Page } from "@playwright/test";

/**
 * The graph moves to its opening view after every layout change (the page
 * loading, a group opened, the side panel opening); the canvas says
 * data-view="moving" until that view is reached. On a busy machine a click
 * sent in between lands where the node was, not where it is.
 */
export async function graphSettled(page: Page): Promise<void> {
  await expect(page.getByTestId("graph-canvas")).toHaveAttribute("data-view", "settled");
}

/** Click a graph node once the view around it has stopped moving (the node drawn first: its layout is the one to wait for). */
export async function clickGraphNode(node: Locator): Promise<void> {
  await expect(node).toBeVisible();
  await graphSettled(node.page());
  await node.click();
}
