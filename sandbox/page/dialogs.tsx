/** The page's Xrm.Navigation / Xrm.Utility dialogs, as Fluent dialogs like a model-driven app's. */
import * as React from "react";
import { Dialog, DialogFooter, DialogType, Modal, PrimaryButton, Spinner, SpinnerSize } from "@fluentui/react";
import type { DialogUi } from "./xrm";
import { openUrl } from "./links";

interface DialogState {
  progress: string | null;
  alert: { title: string; text: string; done: () => void } | null;
  webResource: { src: string; title: string; done: (value: unknown) => void } | null;
}
let setDialogs: React.Dispatch<React.SetStateAction<DialogState>> = () => undefined;

export const dialogUi: DialogUi = {
  progress: (message) => setDialogs((d) => ({ ...d, progress: message })),
  alert: (title, text) => new Promise<void>((done) => setDialogs((d) => ({ ...d, alert: { title, text, done } }))),
  webResourceDialog: (name, title, query) =>
    new Promise((done) => setDialogs((d) => ({ ...d, webResource: { src: `/webresources/${name}?${query}`, title, done } }))),
  openUrl,
};

export function Dialogs() {
  const [state, set] = React.useState<DialogState>({ progress: null, alert: null, webResource: null });
  setDialogs = set;
  const close = (key: "alert" | "webResource") => set((d) => ({ ...d, [key]: null }));
  // A closing dialog fades out: it keeps showing what it showed until it is gone.
  const lastProgress = React.useRef("");
  if (state.progress !== null) lastProgress.current = state.progress;
  const alertDone = () => { state.alert?.done(); close("alert"); };
  // Closed by its X (or Escape) the dialog returns nothing, as a Dataverse dialog closed that way does.
  const webResourceDismissed = () => { state.webResource?.done(undefined); close("webResource"); };
  return (
    <>
      {/* Xrm.Utility.showProgressIndicator: a blocking overlay with a spinner and the message. */}
      <Modal isOpen={state.progress !== null} isBlocking isAlert={false} titleAriaId="progress-message" containerClassName="progress-dialog">
        <div role="status" aria-live="polite" data-testid="progress" className="progress">
          <Spinner size={SpinnerSize.large} />
          <div id="progress-message">{lastProgress.current}</div>
        </div>
      </Modal>
      <Dialog
        hidden={!state.alert}
        onDismiss={alertDone}
        dialogContentProps={{ type: DialogType.normal, title: state.alert?.title }}
        modalProps={{ isBlocking: true }}
        minWidth={320}
        maxWidth={520}
      >
        <p className="pre">{state.alert?.text}</p>
        <DialogFooter>
          <PrimaryButton text="OK" onClick={alertDone} />
        </DialogFooter>
      </Dialog>
      <Dialog
        hidden={!state.webResource}
        onDismiss={webResourceDismissed}
        dialogContentProps={{ type: DialogType.normal, title: state.webResource?.title, showCloseButton: true, closeButtonAriaLabel: "Close" }}
        modalProps={{ isBlocking: true, isAlert: false }}
        minWidth={480}
        maxWidth={520}
      >
        {state.webResource && (
          <iframe
            className="web-resource"
            title={state.webResource.title}
            src={state.webResource.src}
            onLoad={(e) => {
              // The dialog returns through window.returnValue + window.close(), as in Dataverse.
              const win = (e.target as HTMLIFrameElement).contentWindow as (Window & { returnValue?: unknown }) | null;
              if (!win) return;
              const done = state.webResource!.done;
              win.close = () => { done(win.returnValue); close("webResource"); };
            }}
          />
        )}
      </Dialog>
    </>
  );
}
