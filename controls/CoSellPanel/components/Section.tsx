/** @jsx h */
import * as React from "react";
import { classes } from "./styles";
import { h } from "./jsx";

export interface SectionProps {
  /** Names the heading `cosell-<id>-heading`, which labels the section (and lists inside it may point to). */
  id: string;
  title: React.ReactNode;
  busy?: boolean;
  children?: React.ReactNode;
}

/** One titled part of the panel: a region named by its heading. */
export const Section: React.FC<SectionProps> = ({ id, title, busy, children }) => {
  const heading = `cosell-${id}-heading`;
  return (
    <section className={classes.section} aria-labelledby={heading} aria-busy={busy}>
      <h3 id={heading} className={classes.heading}>{title}</h3>
      {children}
    </section>
  );
};

/** A line of secondary text (a state with nothing to show, a note): one component, as the panel has many. */
export const Hint: React.FC<{ children?: React.ReactNode }> = ({ children }) => <p className={classes.hint}>{children}</p>;
