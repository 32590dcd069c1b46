/*
 * The sentences the app shows, translated server-side (pos.views.ui_strings) for the page language.
 * "{n}"-style placeholders are filled here; a sentence that depends on a count comes as
 * "<key>_one" / "<key>_other", picked by Intl.PluralRules in the page language.
 */
import { CONFIG, STRINGS } from "./config.js";

export function t(key, vars) {
  var text = STRINGS[key] || key;
  if (vars) {
    Object.keys(vars).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(vars[name]));
    });
  }
  return text;
}

var pluralRules = new Intl.PluralRules(CONFIG.language || "fr");

/* A sentence with a count: "<key>_one" or "<key>_other" by the language's plural rules. */
export function tn(key, n, vars) {
  var form = pluralRules.select(n) === "one" ? "_one" : "_other";
  return t(key + form, Object.assign({ n: n }, vars || {}));
}
