/** As in Dynamics' personal options: the user's language, kept across visits; changing it reloads the app. */
import * as React from "react";
import { Dropdown } from "@fluentui/react";

const LANGUAGE_KEY = "cosell-sandbox.userlcid";
const LANGUAGES = [{ lcid: 1033, name: "English" }, { lcid: 1042, name: "한국어" }];

export const USER_LANGUAGE = ((): number => {
  const saved = Number(localStorage.getItem(LANGUAGE_KEY));
  return LANGUAGES.some((l) => l.lcid === saved) ? saved : 1033;
})();

export function LanguageSwitch() {
  return (
    <Dropdown
      className="language"
      label="Language"
      selectedKey={USER_LANGUAGE}
      options={LANGUAGES.map((l) => ({ key: l.lcid, text: l.name }))}
      onChange={(_, option) => {
        if (!option || option.key === USER_LANGUAGE) return;
        localStorage.setItem(LANGUAGE_KEY, String(option.key));
        location.reload();
      }}
      styles={{ root: { display: "flex", alignItems: "center", gap: 8 }, label: { color: "#fff" }, dropdown: { width: 120 } }}
    />
  );
}
