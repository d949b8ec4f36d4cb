/**
 * ISO 3166-1 alpha-2 countries and the names sellers type into `address1_country`.
 * Partner Center wants the two-letter code (partner-center.md §2.2); Dynamics holds free text.
 */

/**
 * Every officially assigned alpha-2 code with its English short name, packed as `CCName|CCName|…`
 * (joined literals, not a multi-line template, which would ship its line breaks): the table ships in
 * the form panel's bundle, where an object literal costs a third more bytes.
 */
const COUNTRIES =
  "ADAndorra|AEUnited Arab Emirates|AFAfghanistan|AGAntigua & Barbuda|AIAnguilla|ALAlbania|AMArmenia|AOAngola|" +
  "AQAntarctica|ARArgentina|ASAmerican Samoa|ATAustria|AUAustralia|AWAruba|AXÅland Islands|AZAzerbaijan|" +
  "BABosnia & Herzegovina|BBBarbados|BDBangladesh|BEBelgium|BFBurkina Faso|BGBulgaria|BHBahrain|BIBurundi|" +
  "BJBenin|BLSt. Barthélemy|BMBermuda|BNBrunei|BOBolivia|BQCaribbean Netherlands|BRBrazil|BSBahamas|BTBhutan|" +
  "BVBouvet Island|BWBotswana|BYBelarus|BZBelize|CACanada|CCCocos (Keeling) Islands|CDCongo - Kinshasa|" +
  "CFCentral African Republic|CGCongo - Brazzaville|CHSwitzerland|CICôte d’Ivoire|CKCook Islands|CLChile|" +
  "CMCameroon|CNChina|COColombia|CRCosta Rica|CUCuba|CVCape Verde|CWCuraçao|CXChristmas Island|CYCyprus|" +
  "CZCzechia|DEGermany|DJDjibouti|DKDenmark|DMDominica|DODominican Republic|DZAlgeria|ECEcuador|EEEstonia|" +
  "EGEgypt|EHWestern Sahara|EREritrea|ESSpain|ETEthiopia|FIFinland|FJFiji|FKFalkland Islands|FMMicronesia|" +
  "FOFaroe Islands|FRFrance|GAGabon|GBUnited Kingdom|GDGrenada|GEGeorgia|GFFrench Guiana|GGGuernsey|GHGhana|" +
  "GIGibraltar|GLGreenland|GMGambia|GNGuinea|GPGuadeloupe|GQEquatorial Guinea|GRGreece|" +
  "GSSouth Georgia & South Sandwich Islands|GTGuatemala|GUGuam|GWGuinea-Bissau|GYGuyana|HKHong Kong SAR China|" +
  "HMHeard & McDonald Islands|HNHonduras|HRCroatia|HTHaiti|HUHungary|IDIndonesia|IEIreland|ILIsrael|" +
  "IMIsle of Man|INIndia|IOBritish Indian Ocean Territory|IQIraq|IRIran|ISIceland|ITItaly|JEJersey|JMJamaica|" +
  "JOJordan|JPJapan|KEKenya|KGKyrgyzstan|KHCambodia|KIKiribati|KMComoros|KNSt. Kitts & Nevis|KPNorth Korea|" +
  "KRSouth Korea|KWKuwait|KYCayman Islands|KZKazakhstan|LALaos|LBLebanon|LCSt. Lucia|LILiechtenstein|LKSri Lanka|" +
  "LRLiberia|LSLesotho|LTLithuania|LULuxembourg|LVLatvia|LYLibya|MAMorocco|MCMonaco|MDMoldova|MEMontenegro|" +
  "MFSt. Martin|MGMadagascar|MHMarshall Islands|MKNorth Macedonia|MLMali|MMMyanmar (Burma)|MNMongolia|" +
  "MOMacao SAR China|MPNorthern Mariana Islands|MQMartinique|MRMauritania|MSMontserrat|MTMalta|MUMauritius|" +
  "MVMaldives|MWMalawi|MXMexico|MYMalaysia|MZMozambique|NANamibia|NCNew Caledonia|NENiger|NFNorfolk Island|" +
  "NGNigeria|NINicaragua|NLNetherlands|NONorway|NPNepal|NRNauru|NUNiue|NZNew Zealand|OMOman|PAPanama|PEPeru|" +
  "PFFrench Polynesia|PGPapua New Guinea|PHPhilippines|PKPakistan|PLPoland|PMSt. Pierre & Miquelon|" +
  "PNPitcairn Islands|PRPuerto Rico|PSPalestinian Territories|PTPortugal|PWPalau|PYParaguay|QAQatar|RERéunion|" +
  "RORomania|RSSerbia|RURussia|RWRwanda|SASaudi Arabia|SBSolomon Islands|SCSeychelles|SDSudan|SESweden|" +
  "SGSingapore|SHSt. Helena|SISlovenia|SJSvalbard & Jan Mayen|SKSlovakia|SLSierra Leone|SMSan Marino|SNSenegal|" +
  "SOSomalia|SRSuriname|SSSouth Sudan|STSão Tomé & Príncipe|SVEl Salvador|SXSint Maarten|SYSyria|SZEswatini|" +
  "TCTurks & Caicos Islands|TDChad|TFFrench Southern Territories|TGTogo|THThailand|TJTajikistan|TKTokelau|" +
  "TLTimor-Leste|TMTurkmenistan|TNTunisia|TOTonga|TRTürkiye|TTTrinidad & Tobago|TVTuvalu|TWTaiwan|TZTanzania|" +
  "UAUkraine|UGUganda|UMU.S. Outlying Islands|USUnited States|UYUruguay|UZUzbekistan|VAVatican City|" +
  "VCSt. Vincent & Grenadines|VEVenezuela|VGBritish Virgin Islands|VIU.S. Virgin Islands|VNVietnam|VUVanuatu|" +
  "WFWallis & Futuna|WSSamoa|YEYemen|YTMayotte|ZASouth Africa|ZMZambia|ZWZimbabwe";

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

/** `CCtext|CCtext…` → [code, text] entries (read by index: destructuring costs the panel bundle a helper). */
const unpack = (packed: string): Array<[string, string]> => packed.split("|").map((entry) => [entry.slice(0, 2), entry.slice(2)]);

export const ISO_COUNTRIES: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(unpack(COUNTRIES)));

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
    for (const entry of unpack(ALIASES)) {
      for (const alias of entry[1].split(",")) byName.set(alias, entry[0]);
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
  // `||`, not `??`: every value is a two-letter code, and the panel build spells `??` out at length.
  const index = nameIndex();
  return index.get(key) || index.get(key.replace(/^the /, ""));
}
