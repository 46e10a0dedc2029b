package io.jkvm.vmm;

import io.jkvm.vmm.devices.legacy.Uart16550a;
import io.jkvm.vmm.devices.virtio.console.Console;
import io.jkvm.vmm.devices.virtio.mmio.MmioTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where the guest's console goes: {@code out} receives what the UART (and virtio-console) transmit; bytes from
 * {@code in} (may be null) are fed to the console device by a pump thread, held back while the device's
 * receive buffer is full — so a fast producer never loses input to a FIFO overrun.
 */
public record ConsoleIo(OutputStream out, InputStream in) {

    /** The pump for the UART: one byte at a time, waiting while the 16-byte FIFO is full. */
    static Thread uartPump(InputStream in, Uart16550a uart) {
        return pump(in, b -> {
            while (true) {
                synchronized (uart) {
                    if (uart.rxSpace() > 0) {
                        uart.enqueue(b);
                        return;
                    }
                }
                Thread.sleep(2);
            }
        });
    }

    /** The pump for virtio-console: delivered when the driver offers receive buffers. */
    static Thread virtioPump(InputStream in, MmioTransport transport, Console console) {
        return pump(in, b -> {
            while (true) {
                boolean[] done = {false};
                transport.locked(() -> {
                    if (console.inputSpace() > 0) {
                        console.input(new byte[] {b});
                        done[0] = true;
                    }
                });
                if (done[0]) return;
                Thread.sleep(2);
            }
        });
    }

    private interface ByteSink {
        void put(byte b) throws InterruptedException;
    }

    private static Thread pump(InputStream in, ByteSink sink) {
        Thread t = new Thread(() -> {
            try {
                for (int c; (c = in.read()) >= 0; ) sink.put((byte) c);
            } catch (IOException | InterruptedException e) {
                // end of input or machine closed: the pump simply ends
            }
        }, "console-input");
        t.setDaemon(true);
        return t;
    }
}
