from livekit_sip import program

program.run()
