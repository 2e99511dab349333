/**
 * Credential removal for URLs. Userinfo (`user:token@`) of any `scheme://` URL is a
 * secret as far as we know, so it is dropped whole, user name included.
 */

// Greedy up to the last '@' before the path, so a password holding a raw '@' goes too.
const URL_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#]*@/g;

/** Removes the userinfo of every `scheme://user:pass@host` URL inside a text. */
export function redactCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1');
}

/** True when a URL (or a text) carries userinfo that redactCredentials would remove. */
export function hasCredentials(text: string): boolean {
  return redactCredentials(text) !== text;
}
