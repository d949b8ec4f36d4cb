/**
 * ISO 3166-1 alpha-2 countries and the names sellers type into `address1_country`.
 * Partner Center wants the two-letter code (partner-center.md §2.2); Dynamics holds free text.
 */

/**
 * Every officially assigned alpha-2 code, packed two letters each. Their English short names come
 * from Intl (CLDR, which Node and every browser the panel runs in carry): shipped as text they cost
 * the form panel 3 KB.
 */
const CODES =
  "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCR" +
  "CUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHU" +
  "IDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQ" +
  "MRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSI" +
  "SJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

type RegionNames = { of(code: string): string | undefined };
const DisplayNames = (Intl as unknown as { DisplayNames?: new (locales: string[], options: { type: "region" }) => RegionNames }).DisplayNames;

/**
 * Names people use that differ from the short names above (English, local spellings, former names),
 * already normalised, grouped by code: `CCname,name|…`. A name the table already gives once normalised
 * (or without a leading "the") is not repeated here.
 */
const ALIASES =
  "USusa,u s a,u s,us of a,america,united states of america|" +
  "GBuk,u k,great britain,britain,england,scotland,wales,northern ireland,united kingdom of great britain and northern ireland|" +
  "NLholland,nederland|DEdeutschland,federal republic of germany|ESespana|BRbrasil|ITitalia|ATosterreich|" +
  "CHschweiz,suisse,svizzera|BEbelgie,belgique|SEsverige|NOnorge|DKdanmark|FIsuomi|PLpolska|IEeire|" +
  "JPnippon,nihon|CNprc,peoples republic of china,mainland china|TWrepublic of china|HKhong kong sar|" +
  "MOmacao,macau|KRkorea,republic of korea,korea republic of|KPdprk|RUrussian federation|CZczech republic|" +
  "CIivory coast|VNviet nam|IRiran islamic republic of|SYsyrian arab republic|LAlao pdr|" +
  "BObolivia plurinational state of|VEvenezuela bolivarian republic of|TZtanzania united republic of|" +
  "MDrepublic of moldova,moldova republic of|MKmacedonia,fyrom|MMburma|SZswaziland|CVcabo verde|TRturkey|" +
  "AEuae,u a e,emirates|VAvatican,holy see|SAksa|CDdemocratic republic of the congo,dr congo,drc|" +
  "CGrepublic of the congo,congo|TLeast timor|PSpalestine,state of palestine|BNbrunei darussalam|" +
  "KNsaint kitts and nevis|LCsaint lucia|VCsaint vincent and the grenadines|BAbosnia|KGkyrgyz republic|" +
  "SKslovak republic|BLsaint barthelemy|MFsaint martin|SHsaint helena|PMsaint pierre and miquelon|" +
  "HMheard island and mcdonald islands|GSsouth georgia and the south sandwich islands|PNpitcairn|" +
  "UMunited states minor outlying islands|VIvirgin islands us|VGvirgin islands british|BQbonaire";

/** `CCtext|CCtext…` → [code, text] entries. */
const unpack = (packed: string): Array<[string, string]> => packed.split("|").map((entry) => [entry.slice(0, 2), entry.slice(2)]);

/** Code → English short name ("DE" → "Germany"); without Intl.DisplayNames, the code itself. */
export const ISO_COUNTRIES: Readonly<Record<string, string>> = Object.freeze(buildCountries());

function buildCountries(): Record<string, string> {
  const names = DisplayNames ? new DisplayNames(["en"], { type: "region" }) : undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < CODES.length; i += 2) {
    const code = CODES.slice(i, i + 2);
    out[code] = (names && names.of(code)) || code;
  }
  return out;
}

/** Lower case, accents and punctuation dropped, "&" read as "and", a leading "the" ignored. */
function normalise(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/['’.]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

let byName: Map<string, string> | undefined;
function nameIndex(): Map<string, string> {
  if (!byName) {
    byName = new Map();
    for (const code in ISO_COUNTRIES) byName.set(normalise(ISO_COUNTRIES[code]), code);
    for (const [code, aliases] of unpack(ALIASES)) {
      for (const alias of aliases.split(",")) byName.set(alias, code);
    }
  }
  return byName;
}

/** Answers already worked out: the same few countries are looked up over and over. Bounded. */
const answers = new Map<string, string | undefined>();
const MAX_ANSWERS = 2000;

/** The ISO 3166-1 alpha-2 code for a code or a country name (any case, accents optional); undefined when not understood. */
export function countryToIso2(nameOrCode: string | null | undefined): string | undefined {
  if (nameOrCode == null) return undefined;
  if (answers.has(nameOrCode)) return answers.get(nameOrCode);
  const code = lookUp(nameOrCode);
  if (answers.size >= MAX_ANSWERS) answers.clear();
  answers.set(nameOrCode, code);
  return code;
}

function lookUp(nameOrCode: string): string | undefined {
  const trimmed = nameOrCode.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) {
    const code = trimmed.toUpperCase();
    if (code in ISO_COUNTRIES) return code;
  }
  const key = normalise(trimmed);
  if (!key) return undefined;
  const index = nameIndex();
  return index.get(key) ?? index.get(key.replace(/^the /, ""));
}
