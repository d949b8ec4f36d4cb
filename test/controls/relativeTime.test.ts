/** relativeTime takes the largest whole unit that fits; under a second it says "now". */
import { relativeTime } from "../../controls/CoSellPanel/model/relativeTime";

const NOW = new Date("2025-06-15T12:00:00Z");
const ago = (seconds: number) => relativeTime(new Date(NOW.getTime() - seconds * 1000), NOW, "en-US");

it.each([
  [0.4, "now"],
  [59, "59 sec. ago"],
  [60, "1 min. ago"],
  [3599, "59 min. ago"],
  [2 * 3600, "2 hr. ago"],
  [24 * 3600, "yesterday"],
  [6 * 24 * 3600, "6 days ago"],
  [7 * 24 * 3600, "last wk."],
  [29 * 24 * 3600, "4 wk. ago"],
  [30 * 24 * 3600, "last mo."],
  [400 * 24 * 3600, "last yr."],
  [-2 * 3600, "in 2 hr."],
])("%s s before now reads %j", (seconds, text) => {
  expect(ago(seconds)).toBe(text);
});
