/**
 * The ribbon's and the decline dialog's words, in each language the solution ships (the panel's
 * are in its .resx; the ribbon's labels in RibbonDiff.xml's LocLabels). Anything but Korean reads
 * English, as Dynamics falls back to the base language.
 */
import { CLOSE_REASONS, type CloseReasonCode } from "../sync/schema/referral";

const EN = {
  /** The service records its errors in English: in English the ribbon quotes their first line, elsewhere it points to the panel, which words them. */
  quotesRecordedErrors: true,
  syncing: "Syncing with Partner Center…",
  accepting: "Accepting the referral…",
  declining: "Declining the referral…",
  synced: "Synced with Partner Center.",
  nothingToSend: "Nothing to send: Partner Center already has this deal as it is.",
  /** {0}: the first line of the recorded error. */
  notSynced: "Not synced with Partner Center: {0}",
  seeSection: "see the Co-sell section.",
  fixesListed: " The Co-sell section lists what to fix.",
  saveFirstTitle: "Save the opportunity first",
  saveFirst: "The opportunity has to be saved before it can be shared with Partner Center.",
  noLinkTitle: "No Partner Center link",
  noLink: "This opportunity has no valid Partner Center link yet. Share it with Partner Center first.",
  dialogFailed: "The decline dialog could not be opened.",
  declineTitle: "Decline referral",
  failures: {
    serviceUnreachable:
      "The co-sell service did not answer, so nothing was sent to Partner Center. Try again in a few minutes; if it keeps failing, ask your admin to check the co-sell service.",
    noPermission: "You don't have permission to do this. Ask your admin to give you the co-sell role.",
    recordChanged: "Someone else changed this opportunity at the same time. The form now shows their changes; check them and try again.",
    recordGone: "This opportunity no longer exists; it may have been deleted.",
    offline: "Dynamics 365 could not be reached. Check your connection and try again.",
    saveFailed: "The opportunity could not be saved, so nothing was sent. Fix what the form shows and try again.",
  },
  dialog: {
    heading: "Why are you declining this referral?",
    intro: "Microsoft sees the reason you choose in Partner Center.",
    submit: "Decline referral",
    cancel: "Cancel",
    choose: "Choose why you are declining this referral.",
    /** Shown in the dialog; Partner Center is sent the English text of the chosen code. */
    reasons: Object.fromEntries(CLOSE_REASONS.map((r) => [r.code, r.text])) as Record<CloseReasonCode, string>,
  },
};

export type Texts = typeof EN;

const KO: Texts = {
  quotesRecordedErrors: false,
  syncing: "파트너 센터와 동기화하는 중…",
  accepting: "추천을 수락하는 중…",
  declining: "추천을 거절하는 중…",
  synced: "파트너 센터와 동기화했습니다.",
  nothingToSend: "보낼 내용이 없습니다. 파트너 센터에 이미 이 거래가 그대로 있습니다.",
  notSynced: "파트너 센터와 동기화하지 못했습니다: {0}",
  seeSection: "공동 판매 섹션을 확인하세요.",
  fixesListed: " 공동 판매 섹션에 고칠 내용이 나와 있습니다.",
  saveFirstTitle: "먼저 영업 기회를 저장하세요",
  saveFirst: "파트너 센터와 공유하려면 먼저 영업 기회를 저장해야 합니다.",
  noLinkTitle: "파트너 센터 링크 없음",
  noLink: "이 영업 기회에는 아직 올바른 파트너 센터 링크가 없습니다. 먼저 파트너 센터와 공유하세요.",
  dialogFailed: "거절 대화 상자를 열 수 없습니다.",
  declineTitle: "추천 거절",
  failures: {
    serviceUnreachable:
      "공동 판매 서비스가 응답하지 않아 파트너 센터에 아무것도 보내지 않았습니다. 몇 분 후에 다시 시도하고, 계속 실패하면 관리자에게 공동 판매 서비스를 확인해 달라고 요청하세요.",
    noPermission: "이 작업을 할 권한이 없습니다. 관리자에게 공동 판매 역할을 요청하세요.",
    recordChanged: "다른 사용자가 동시에 이 영업 기회를 변경했습니다. 이제 양식에 그 변경 내용이 표시됩니다. 확인한 후 다시 시도하세요.",
    recordGone: "이 영업 기회가 더 이상 없습니다. 삭제되었을 수 있습니다.",
    offline: "Dynamics 365에 연결할 수 없습니다. 연결을 확인하고 다시 시도하세요.",
    saveFailed: "영업 기회를 저장할 수 없어 아무것도 보내지 않았습니다. 양식에 표시된 내용을 고친 후 다시 시도하세요.",
  },
  dialog: {
    heading: "이 추천을 거절하는 이유는 무엇인가요?",
    intro: "선택한 이유는 파트너 센터에서 Microsoft에 표시됩니다.",
    submit: "추천 거절",
    cancel: "취소",
    choose: "이 추천을 거절하는 이유를 선택하세요.",
    reasons: {
      1: "프로젝트 예산이 충분하지 않음",
      2: "고객이 응답하지 않음",
      3: "고객이 다른 공급업체를 선택함",
      4: "고객 요구 사항을 충족하지 못함",
      5: "고객이 아님",
      6: "제안된 일정이 너무 짧음",
      7: "악용/스팸/피싱으로 신고",
      8: "기타",
    },
  },
};

/** The texts for a user's language (Dynamics' LCID: 1033 English, 1042 Korean). */
export const textsFor = (languageId: number | undefined): Texts => (languageId === 1042 ? KO : EN);
