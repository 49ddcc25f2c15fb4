import type { Hello } from '../../protocol.ts';
import type { FlowHello } from '../../flowProtocol.ts';
import type { SubjectPrecision } from '../../roundingTolerance.ts';
import type { Subject } from '../../subject.ts';

/** What a flow-matching check needs: no ᾱ table — the path is the hello's `flow` section. */
export interface FlowCheckContext {
  readonly subject: Subject;
  readonly hello: Hello;
  readonly flow: FlowHello;
  readonly precision: SubjectPrecision;
}
