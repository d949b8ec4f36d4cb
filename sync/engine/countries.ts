/**
 * ISO 3166-1 alpha-2 countries and the names sellers type into `address1_country`.
 * Partner Center wants the two-letter code (partner-center.md §2.2); Dynamics holds free text.
 */

/** Every officially assigned alpha-2 code with its English short name. */
export const ISO_COUNTRIES: Readonly<Record<string, string>> = {
  AD: "Andorra", AE: "United Arab Emirates", AF: "Afghanistan", AG: "Antigua & Barbuda",
  AI: "Anguilla", AL: "Albania", AM: "Armenia", AO: "Angola",
  AQ: "Antarctica", AR: "Argentina", AS: "American Samoa", AT: "Austria",
  AU: "Australia", AW: "Aruba", AX: "Åland Islands", AZ: "Azerbaijan",
  BA: "Bosnia & Herzegovina", BB: "Barbados", BD: "Bangladesh", BE: "Belgium",
  BF: "Burkina Faso", BG: "Bulgaria", BH: "Bahrain", BI: "Burundi",
  BJ: "Benin", BL: "St. Barthélemy", BM: "Bermuda", BN: "Brunei",
  BO: "Bolivia", BQ: "Caribbean Netherlands", BR: "Brazil", BS: "Bahamas",
  BT: "Bhutan", BV: "Bouvet Island", BW: "Botswana", BY: "Belarus",
  BZ: "Belize", CA: "Canada", CC: "Cocos (Keeling) Islands", CD: "Congo - Kinshasa",
  CF: "Central African Republic", CG: "Congo - Brazzaville", CH: "Switzerland", CI: "Côte d’Ivoire",
  CK: "Cook Islands", CL: "Chile", CM: "Cameroon", CN: "China",
  CO: "Colombia", CR: "Costa Rica", CU: "Cuba", CV: "Cape Verde",
  CW: "Curaçao", CX: "Christmas Island", CY: "Cyprus", CZ: "Czechia",
  DE: "Germany", DJ: "Djibouti", DK: "Denmark", DM: "Dominica",
  DO: "Dominican Republic", DZ: "Algeria", EC: "Ecuador", EE: "Estonia",
  EG: "Egypt", EH: "Western Sahara", ER: "Eritrea", ES: "Spain",
  ET: "Ethiopia", FI: "Finland", FJ: "Fiji", FK: "Falkland Islands",
  FM: "Micronesia", FO: "Faroe Islands", FR: "France", GA: "Gabon",
  GB: "United Kingdom", GD: "Grenada", GE: "Georgia", GF: "French Guiana",
  GG: "Guernsey", GH: "Ghana", GI: "Gibraltar", GL: "Greenland",
  GM: "Gambia", GN: "Guinea", GP: "Guadeloupe", GQ: "Equatorial Guinea",
  GR: "Greece", GS: "South Georgia & South Sandwich Islands", GT: "Guatemala", GU: "Guam",
  GW: "Guinea-Bissau", GY: "Guyana", HK: "Hong Kong SAR China", HM: "Heard & McDonald Islands",
  HN: "Honduras", HR: "Croatia", HT: "Haiti", HU: "Hungary",
  ID: "Indonesia", IE: "Ireland", IL: "Israel", IM: "Isle of Man",
  IN: "India", IO: "British Indian Ocean Territory", IQ: "Iraq", IR: "Iran",
  IS: "Iceland", IT: "Italy", JE: "Jersey", JM: "Jamaica",
  JO: "Jordan", JP: "Japan", KE: "Kenya", KG: "Kyrgyzstan",
  KH: "Cambodia", KI: "Kiribati", KM: "Comoros", KN: "St. Kitts & Nevis",
  KP: "North Korea", KR: "South Korea", KW: "Kuwait", KY: "Cayman Islands",
  KZ: "Kazakhstan", LA: "Laos", LB: "Lebanon", LC: "St. Lucia",
  LI: "Liechtenstein", LK: "Sri Lanka", LR: "Liberia", LS: "Lesotho",
  LT: "Lithuania", LU: "Luxembourg", LV: "Latvia", LY: "Libya",
  MA: "Morocco", MC: "Monaco", MD: "Moldova", ME: "Montenegro",
  MF: "St. Martin", MG: "Madagascar", MH: "Marshall Islands", MK: "North Macedonia",
  ML: "Mali", MM: "Myanmar (Burma)", MN: "Mongolia", MO: "Macao SAR China",
  MP: "Northern Mariana Islands", MQ: "Martinique", MR: "Mauritania", MS: "Montserrat",
  MT: "Malta", MU: "Mauritius", MV: "Maldives", MW: "Malawi",
  MX: "Mexico", MY: "Malaysia", MZ: "Mozambique", NA: "Namibia",
  NC: "New Caledonia", NE: "Niger", NF: "Norfolk Island", NG: "Nigeria",
  NI: "Nicaragua", NL: "Netherlands", NO: "Norway", NP: "Nepal",
  NR: "Nauru", NU: "Niue", NZ: "New Zealand", OM: "Oman",
  PA: "Panama", PE: "Peru", PF: "French Polynesia", PG: "Papua New Guinea",
  PH: "Philippines", PK: "Pakistan", PL: "Poland", PM: "St. Pierre & Miquelon",
  PN: "Pitcairn Islands", PR: "Puerto Rico", PS: "Palestinian Territories", PT: "Portugal",
  PW: "Palau", PY: "Paraguay", QA: "Qatar", RE: "Réunion",
  RO: "Romania", RS: "Serbia", RU: "Russia", RW: "Rwanda",
  SA: "Saudi Arabia", SB: "Solomon Islands", SC: "Seychelles", SD: "Sudan",
  SE: "Sweden", SG: "Singapore", SH: "St. Helena", SI: "Slovenia",
  SJ: "Svalbard & Jan Mayen", SK: "Slovakia", SL: "Sierra Leone", SM: "San Marino",
  SN: "Senegal", SO: "Somalia", SR: "Suriname", SS: "South Sudan",
  ST: "São Tomé & Príncipe", SV: "El Salvador", SX: "Sint Maarten", SY: "Syria",
  SZ: "Eswatini", TC: "Turks & Caicos Islands", TD: "Chad", TF: "French Southern Territories",
  TG: "Togo", TH: "Thailand", TJ: "Tajikistan", TK: "Tokelau",
  TL: "Timor-Leste", TM: "Turkmenistan", TN: "Tunisia", TO: "Tonga",
  TR: "Türkiye", TT: "Trinidad & Tobago", TV: "Tuvalu", TW: "Taiwan",
  TZ: "Tanzania", UA: "Ukraine", UG: "Uganda", UM: "U.S. Outlying Islands",
  US: "United States", UY: "Uruguay", UZ: "Uzbekistan", VA: "Vatican City",
  VC: "St. Vincent & Grenadines", VE: "Venezuela", VG: "British Virgin Islands", VI: "U.S. Virgin Islands",
  VN: "Vietnam", VU: "Vanuatu", WF: "Wallis & Futuna", WS: "Samoa",
  YE: "Yemen", YT: "Mayotte", ZA: "South Africa", ZM: "Zambia",
  ZW: "Zimbabwe",
};

/** Names people use that differ from the short names above (English, local spellings, former names). */
const ALIASES: Readonly<Record<string, string>> = {
  "usa": "US", "u s a": "US", "u s": "US", "us of a": "US", "america": "US", "united states of america": "US",
  "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
  "wales": "GB", "northern ireland": "GB", "united kingdom of great britain and northern ireland": "GB",
  "holland": "NL", "the netherlands": "NL", "nederland": "NL",
  "deutschland": "DE", "federal republic of germany": "DE",
  "espana": "ES", "brasil": "BR", "mexico": "MX", "italia": "IT", "osterreich": "AT",
  "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "belgie": "BE", "belgique": "BE",
  "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "polska": "PL", "eire": "IE",
  "nippon": "JP", "nihon": "JP", "prc": "CN", "peoples republic of china": "CN", "mainland china": "CN",
  "republic of china": "TW", "hong kong sar": "HK", "hong kong sar china": "HK", "macao": "MO", "macau": "MO",
  "macao sar china": "MO", "south korea": "KR", "korea": "KR", "republic of korea": "KR", "korea republic of": "KR",
  "north korea": "KP", "dprk": "KP", "russian federation": "RU", "czech republic": "CZ", "czechia": "CZ",
  "ivory coast": "CI", "cote divoire": "CI", "viet nam": "VN", "iran islamic republic of": "IR",
  "syrian arab republic": "SY", "lao pdr": "LA", "laos": "LA", "bolivia plurinational state of": "BO",
  "venezuela bolivarian republic of": "VE", "tanzania united republic of": "TZ", "republic of moldova": "MD",
  "moldova republic of": "MD", "macedonia": "MK", "north macedonia": "MK", "fyrom": "MK", "burma": "MM",
  "swaziland": "SZ", "cape verde": "CV", "cabo verde": "CV", "turkey": "TR", "turkiye": "TR",
  "uae": "AE", "u a e": "AE", "emirates": "AE", "vatican": "VA", "holy see": "VA", "ksa": "SA",
  "democratic republic of the congo": "CD", "dr congo": "CD", "drc": "CD", "congo kinshasa": "CD",
  "republic of the congo": "CG", "congo brazzaville": "CG", "congo": "CG", "east timor": "TL",
  "palestine": "PS", "state of palestine": "PS", "brunei darussalam": "BN", "micronesia": "FM",
  "st kitts and nevis": "KN", "saint kitts and nevis": "KN", "saint lucia": "LC", "st lucia": "LC",
  "saint vincent and the grenadines": "VC", "trinidad and tobago": "TT", "bosnia": "BA",
  "bosnia and herzegovina": "BA", "antigua and barbuda": "AG", "sao tome and principe": "ST",
  "the bahamas": "BS", "bahamas": "BS", "the gambia": "GM", "gambia": "GM", "kyrgyz republic": "KG",
  "slovak republic": "SK", "falkland islands": "FK", "faroe islands": "FO", "curacao": "CW",
  "reunion": "RE", "aland islands": "AX", "saint barthelemy": "BL", "st barthelemy": "BL",
  "saint martin": "MF", "st martin": "MF", "saint helena": "SH", "saint pierre and miquelon": "PM",
  "wallis and futuna": "WF", "turks and caicos islands": "TC", "svalbard and jan mayen": "SJ",
  "heard and mcdonald islands": "HM", "heard island and mcdonald islands": "HM",
  "south georgia and the south sandwich islands": "GS", "pitcairn": "PN",
  "united states minor outlying islands": "UM", "us virgin islands": "VI", "virgin islands us": "VI",
  "virgin islands british": "VG", "caribbean netherlands": "BQ", "bonaire": "BQ",
};

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
    for (const [code, name] of Object.entries(ISO_COUNTRIES)) byName.set(normalise(name), code);
    for (const [alias, code] of Object.entries(ALIASES)) byName.set(alias, code);
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
  return nameIndex().get(key) ?? nameIndex().get(key.replace(/^the /, ""));
}
