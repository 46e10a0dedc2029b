package io.jkvm.x86.exc;

/**
 * A guest exception raised while executing an instruction (#GP, #PF, #UD…). Thrown from deep inside an
 * instruction and caught by the interpreter, which delivers it through the IDT. One instance per CPU,
 * reused, without a stack trace: raising a guest fault costs no allocation.
 */
public final class GuestFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public int vector;
    public int errorCode;
    public boolean hasErrorCode;

    public GuestFault() {
        super(null, null, false, false);
    }

    public GuestFault set(int vector, int errorCode, boolean hasErrorCode) {
        this.vector = vector;
        this.errorCode = errorCode;
        this.hasErrorCode = hasErrorCode;
        return this;
    }

    @Override
    public String getMessage() {
        return Vector.name(vector) + (hasErrorCode ? "(" + Integer.toHexString(errorCode) + ")" : "");
    }
}
